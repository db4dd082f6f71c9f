#include "models/trainer.hpp"

#include <algorithm>
#include <chrono>
#include <numeric>

#include "core/error.hpp"
#include "core/rng.hpp"
#include "core/suggest.hpp"
#include "models/loss.hpp"

namespace interplay {

json TrainConfig::to_json() const {
  json j = {{"epochs", epochs},
            {"batch", batch},
            {"lr", lr},
            {"seed", seed},
            {"optimizer", optimizer.kind},
            {"weight_decay", optimizer.weight_decay},
            {"momentum", optimizer.momentum},
            {"warmup_steps", warmup_steps},
            {"cosine", cosine}};
  // FP32 runs keep the settings record they always had.
  if (arithmetic.hbfp) j["arithmetic"] = arithmetic.to_json();
  return j;
}

TrainConfig TrainConfig::from_json(const json& j, const std::string& where,
                                   const TrainConfig& base) {
  if (!j.is_object()) throw Error(at(where, "expected an object of training settings"));
  TrainConfig c = base;
  const std::vector<std::string> keys = {"epochs",    "batch",        "lr",       "seed",
                                         "optimizer", "weight_decay", "momentum", "warmup_steps",
                                         "cosine",    "arithmetic"};
  auto count = [&](const json& v, const std::string& path, bool allow_zero) {
    if (!v.is_number_integer() || v.get<long long>() < (allow_zero ? 0 : 1))
      throw Error(at(path, std::string("expected a ") + (allow_zero ? "non-negative" : "positive") +
                               " integer, got " + v.dump()));
    return v.get<std::size_t>();
  };
  auto real = [&](const json& v, const std::string& path) {
    if (!v.is_number() || v.get<double>() < 0)
      throw Error(at(path, "expected a non-negative number, got " + v.dump()));
    return v.get<double>();
  };
  for (auto& [k, v] : j.items()) {
    const std::string path = where + "." + k;
    if (k == "epochs")
      c.epochs = count(v, path, true);
    else if (k == "batch")
      c.batch = count(v, path, false);
    else if (k == "lr")
      c.lr = real(v, path);
    else if (k == "seed")
      c.seed = count(v, path, true);
    else if (k == "weight_decay")
      c.optimizer.weight_decay = real(v, path);
    else if (k == "momentum")
      c.optimizer.momentum = real(v, path);
    else if (k == "warmup_steps")
      c.warmup_steps = count(v, path, true);
    else if (k == "cosine") {
      if (!v.is_boolean()) throw Error(at(path, "expected true or false, got " + v.dump()));
      c.cosine = v.get<bool>();
    } else if (k == "arithmetic") {
      c.arithmetic = ArithmeticSchedule::from_json(v, path);
    } else if (k == "optimizer") {
      if (!v.is_string() || (v != "adam" && v != "sgd"))
        throw Error(at(path, "expected \"adam\" or \"sgd\", got " + v.dump()));
      c.optimizer.kind = v.get<std::string>();
    } else {
      throw Error(at(where, unknown_name_message("training setting", k, keys)));
    }
  }
  return c;
}

TrainConfig default_train_config(const std::string& model) {
  TrainConfig c;
  if (model == "mlp") c.epochs = 8, c.lr = 1e-3;
  if (model == "cnn") c.epochs = 5, c.lr = 2e-3;
  if (model == "vit")
    c.epochs = 12, c.lr = 2e-3, c.warmup_steps = 400, c.optimizer.weight_decay = 0.05;
  // Three passes over the training books in windows of the context (see
  // lm_trainer.hpp): the smallest budget found to beat the 5-gram baseline
  // (data/README.md); one epoch at batch 16 or 8 did not.
  if (model == "gpt")
    c.epochs = 3, c.batch = 8, c.lr = 3e-3, c.warmup_steps = 100, c.optimizer.weight_decay = 0.01;
  return c;
}

std::vector<std::size_t> epoch_order(std::size_t n, std::uint64_t seed, std::size_t epoch) {
  std::vector<std::uint64_t> key(n);
  for (std::size_t i = 0; i < n; ++i) key[i] = counter_hash(seed, 0x5u + (epoch << 8), i);
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t(0));
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return key[a] != key[b] ? key[a] < key[b] : a < b;
  });
  return order;
}

TrainResult train_model(Model& model, const Dataset& data, const TrainConfig& config,
                        const std::function<void(const TrainProgress&)>& progress,
                        const TrainHooks& hooks) {
  using clock = std::chrono::steady_clock;
  if (data.size() == 0) throw Error("training set is empty");
  const std::size_t n = data.size(), bs = std::min(config.batch, n);
  const std::size_t batches = (n + bs - 1) / bs;
  const long total = long(config.epochs * batches);
  Optimizer opt(config.optimizer, model.parameters());
  TrainResult result;
  Tensor x, logits, dlogits;
  std::vector<std::uint8_t> y;
  const auto start = clock::now();
  long step = 0;
  TrainingArithmetic arithmetic(model, config.arithmetic, config.seed);
  for (std::size_t epoch = 0; epoch < config.epochs; ++epoch) {
    arithmetic.begin_epoch(epoch, config.epochs);
    const std::vector<std::size_t> order = epoch_order(n, config.seed, epoch);
    const auto epoch_start = clock::now();
    double loss_sum = 0.0;
    std::size_t seen = 0;
    for (std::size_t b = 0; b < batches; ++b, ++step) {
      const std::size_t count = std::min(bs, n - b * bs);
      data.gather(order.data() + b * bs, count, x, y);
      if (hooks.before_forward) hooks.before_forward();
      model.forward(x, logits);
      const LossStats s = softmax_cross_entropy(logits, y.data(), &dlogits);
      model.backward(dlogits);
      if (hooks.after_backward) hooks.after_backward();
      opt.step(scheduled_lr(config.lr, step, total, long(config.warmup_steps), config.cosine));
      loss_sum += s.loss_sum;
      seen += count;
      if (progress)
        progress(progress_after_batch(epoch, config.epochs, b, batches, loss_sum, seen, epoch_start,
                                      start));
    }
    result.epoch_loss.push_back(loss_sum / double(seen));
  }
  if (hooks.before_forward) hooks.before_forward();  // leave the final weights in effect
  result.seconds = std::chrono::duration<double>(clock::now() - start).count();
  result.macs = arithmetic.macs().to_json();
  return result;
}

EvalResult evaluate_model(Model& model, const Dataset& data, std::size_t batch) {
  EvalResult r;
  Tensor x, logits;
  std::vector<std::uint8_t> y;
  double loss = 0.0;
  std::size_t correct = 0;
  for (std::size_t b = 0; b < data.size(); b += batch) {
    const std::size_t count = std::min(batch, data.size() - b);
    data.slice(b, count, x, y);
    model.forward(x, logits);
    const LossStats s = softmax_cross_entropy(logits, y.data());
    loss += s.loss_sum;
    correct += s.correct;
  }
  r.count = data.size();
  if (r.count) r.loss = loss / double(r.count), r.accuracy = double(correct) / double(r.count);
  return r;
}

}  // namespace interplay
