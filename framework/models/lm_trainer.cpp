#include "models/lm_trainer.hpp"

#include <chrono>
#include <cmath>

#include "core/error.hpp"
#include "core/rng.hpp"
#include "models/loss.hpp"
#include "models/optimizer.hpp"

namespace interplay {
namespace {

// Fills x [n, t] (byte values as floats) and y (n*t next bytes) from windows
// starting at starts[0..n).
void gather_windows(const std::string& text, const std::size_t* starts, std::size_t n,
                    std::size_t t, Tensor& x, std::vector<std::uint8_t>& y) {
  x.shape = {n, t};
  x.data.resize(n * t);
  y.resize(n * t);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < t; ++j) {
      x.data[i * t + j] = float(static_cast<unsigned char>(text[starts[i] + j]));
      y[i * t + j] = static_cast<std::uint8_t>(text[starts[i] + j + 1]);
    }
}

// Logits [n, t, 256] viewed as [n*t, 256] rows (no copy of the layout, only the shape).
double batch_loss(Tensor& logits, const std::vector<std::uint8_t>& y, Tensor* dlogits,
                  std::vector<double>* row_losses = nullptr) {
  const Shape shape = logits.shape;
  logits.shape = {y.size(), 256};
  const LossStats s = softmax_cross_entropy(logits, y.data(), dlogits, row_losses);
  logits.shape = shape;
  if (dlogits) dlogits->shape = shape;
  return s.loss_sum;
}

}  // namespace

double LmEval::perplexity() const {
  return std::exp(loss);
}
double LmEval::bits_per_byte() const {
  return loss / std::log(2.0);
}

TrainResult train_lm(Model& model, const std::string& text, const TrainConfig& config,
                     const std::function<void(const TrainProgress&)>& progress,
                     const TrainHooks& hooks) {
  using clock = std::chrono::steady_clock;
  if (model.kind() != "gpt") throw Error("train_lm: model is " + model.kind() + ", not gpt");
  const std::size_t T = model.input_shape().at(0);
  if (text.size() < 2 * T + 1)
    throw Error("training text has " + std::to_string(text.size()) +
                " bytes, fewer than two windows of context " + std::to_string(T) + " + 1");
  // Windows per epoch: the same count for every offset, so the schedule is fixed.
  const std::size_t n = (text.size() - T) / T - 1, bs = std::min(config.batch, n);
  const std::size_t batches = (n + bs - 1) / bs;
  const long total = long(config.epochs * batches);
  Optimizer opt(config.optimizer, model.parameters());
  TrainResult result;
  Tensor x, logits, dlogits;
  std::vector<std::uint8_t> y;
  std::vector<std::size_t> starts(bs);
  const auto start = clock::now();
  long step = 0;
  TrainingArithmetic arithmetic(model, config.arithmetic, config.seed);
  for (std::size_t epoch = 0; epoch < config.epochs; ++epoch) {
    arithmetic.begin_epoch(epoch, config.epochs);
    const std::size_t offset = counter_hash(config.seed, 0x1a7u, epoch) % T;
    const std::vector<std::size_t> order = epoch_order(n, config.seed, epoch);
    const auto epoch_start = clock::now();
    double loss_sum = 0.0;
    std::size_t seen = 0;
    for (std::size_t b = 0; b < batches; ++b, ++step) {
      const std::size_t count = std::min(bs, n - b * bs);
      for (std::size_t i = 0; i < count; ++i) starts[i] = offset + order[b * bs + i] * T;
      gather_windows(text, starts.data(), count, T, x, y);
      if (hooks.before_forward) hooks.before_forward();
      model.forward(x, logits);
      loss_sum += batch_loss(logits, y, &dlogits);
      model.backward(dlogits);
      if (hooks.after_backward) hooks.after_backward();
      opt.step(scheduled_lr(config.lr, step, total, long(config.warmup_steps), config.cosine));
      seen += count * T;
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

std::vector<double> lm_chunk_losses(Model& model, const std::string& text, std::size_t batch) {
  const std::size_t T = model.input_shape().at(0);
  std::vector<double> out;
  if (text.size() < 2) return out;
  const std::size_t full = (text.size() - 1) / T, rest = (text.size() - 1) % T;
  Tensor x, logits;
  std::vector<std::uint8_t> y;
  std::vector<std::size_t> starts;
  std::vector<double> rows;
  auto add_chunks = [&](std::size_t count, std::size_t t) {
    model.forward(x, logits);
    batch_loss(logits, y, nullptr, &rows);
    for (std::size_t i = 0; i < count; ++i) {
      double sum = 0.0;
      for (std::size_t j = 0; j < t; ++j) sum += rows[i * t + j];
      out.push_back(sum);
    }
  };
  for (std::size_t b = 0; b < full; b += batch) {
    const std::size_t count = std::min(batch, full - b);
    starts.resize(count);
    for (std::size_t i = 0; i < count; ++i) starts[i] = (b + i) * T;
    gather_windows(text, starts.data(), count, T, x, y);
    add_chunks(count, T);
  }
  if (rest > 0) {  // the tail: one shorter chunk
    const std::size_t s = full * T;
    gather_windows(text, &s, 1, rest, x, y);
    add_chunks(1, rest);
  }
  return out;
}

LmEval evaluate_lm(Model& model, const std::string& text, std::size_t batch) {
  LmEval r;
  if (text.size() < 2) return r;
  double loss = 0.0;
  for (double c : lm_chunk_losses(model, text, batch)) loss += c;
  r.bytes = text.size() - 1;
  r.loss = loss / double(r.bytes);
  return r;
}

Tensor lm_chunk_inputs(const std::string& text, std::size_t context, std::size_t n) {
  const std::size_t full = text.size() > 0 ? (text.size() - 1) / context : 0;
  n = std::min(n, full);
  std::vector<std::size_t> starts(n);
  for (std::size_t i = 0; i < n; ++i) starts[i] = i * context;
  Tensor x;
  std::vector<std::uint8_t> y;
  gather_windows(text, starts.data(), n, context, x, y);
  return x;
}

}  // namespace interplay
