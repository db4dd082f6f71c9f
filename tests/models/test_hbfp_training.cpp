// HBFP training: schedules switch at the right epoch and layer, the MAC
// accounting of a tiny network (MLP, ViT, gpt) equals a hand count, and short
// HBFP runs are deterministic (any thread count) and learn.
#include <omp.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <tuple>

#include "core/error.hpp"
#include "models/lm_trainer.hpp"
#include "models/trainer.hpp"

using namespace interplay;

namespace {

std::vector<float> all_weights(Model& m) {
  std::vector<float> w;
  for (Param* p : m.parameters()) w.insert(w.end(), p->value.data.begin(), p->value.data.end());
  return w;
}

ArithmeticSchedule parse(const json& j) {
  return ArithmeticSchedule::from_json(j, "arithmetic");
}

}  // namespace

TEST_CASE("hbfp schedule: boosters switches at the last epoch and on the first/last layers",
          "[hbfp]") {
  const ArithmeticSchedule s = parse({{"format", "hbfp"}, {"schedule", "boosters"}});
  const std::size_t epochs = 5, layers = 4;
  for (std::size_t e = 0; e < epochs; ++e)
    for (std::size_t l = 0; l < layers; ++l) {
      const bool boosted = e == epochs - 1 || l == 0 || l == layers - 1;
      INFO("epoch " << e << " layer " << l);
      CHECK(s.width(e, epochs, l, layers) == (boosted ? 6 : 4));
    }
  // Keys beside the preset override it; the larger width wins where rules meet.
  const ArithmeticSchedule t =
      parse({{"schedule", "boosters"}, {"last_epochs", {{"count", 2}, {"mantissa", 8}}}});
  CHECK(t.width(2, 5, 1, 4) == 4);
  CHECK(t.width(3, 5, 1, 4) == 8);
  CHECK(t.width(3, 5, 0, 4) == 8);
  CHECK(t.width(0, 5, 3, 4) == 6);
  CHECK(parse("fp32").width(0, 1, 0, 1) == 0);
  CHECK(parse({{"format", "hbfp"}, {"mantissa", 8}}).width(0, 1, 0, 1) == 8);
  // The record round-trips.
  CHECK(parse(t.to_json()).to_json() == t.to_json());

  // Applied to a model: the widths the layers get at each epoch.
  Model m(json{{"model", "mlp"}, {"hidden", {8, 8}}});
  {
    TrainingArithmetic a(m, s, 1);
    std::vector<int> widths;
    for (std::size_t e : {0, 1}) {
      a.begin_epoch(e, 2);
      for (auto& [path, layer] : m.matmul_layers()) widths.push_back(layer->arithmetic.width);
    }
    CHECK(widths == std::vector<int>{6, 4, 6, 6, 6, 6});
  }
  for (auto& [path, layer] : m.matmul_layers()) CHECK(layer->arithmetic.width == 0);
}

TEST_CASE("hbfp schedule: bad settings are one-line errors naming the key", "[hbfp]") {
  CHECK_THROWS_WITH(parse({{"format", "hbfq"}}), Catch::Contains("arithmetic.format"));
  CHECK_THROWS_WITH(parse({{"mantissa", 1}}), Catch::Contains("arithmetic.mantissa"));
  CHECK_THROWS_WITH(parse({{"schedule", "booster"}}), Catch::Contains("did you mean 'boosters'"));
  CHECK_THROWS_WITH(parse({{"mantisa", 4}}), Catch::Contains("did you mean 'mantissa'"));
  CHECK_THROWS_WITH(parse({{"last_epochs", {{"count", 1}}}}),
                    Catch::Contains("arithmetic.last_epochs"));
  CHECK_THROWS_WITH(parse({{"rounding", {{"gradient", "stochastic"}}}}),
                    Catch::Contains("did you mean 'gradients'"));
  CHECK_THROWS_WITH(parse({{"rounding", {{"weights", "up"}}}}),
                    Catch::Contains("arithmetic.rounding.weights"));
  CHECK_THROWS_WITH(parse({{"format", "fp32"}, {"mantissa", 4}}), Catch::Contains("fp32"));
  CHECK_THROWS_WITH(TrainConfig::from_json(json{{"arithmetic", 4}}, "train", TrainConfig{}),
                    Catch::Contains("train.arithmetic"));
}

TEST_CASE("hbfp accounting: MACs of a tiny MLP equal a hand count", "[hbfp]") {
  // 784 -> 8 -> 8 -> 10, 100 images in batches of 50, 2 epochs, boosters:
  // epoch 0: fc1 and fc3 HBFP6, fc2 HBFP4; epoch 1 all HBFP6.
  const Dataset all = load_fashion_mnist("train", 100);
  Model m(json{{"model", "mlp"}, {"hidden", {8, 8}}});
  m.init(0);
  TrainConfig cfg;
  cfg.epochs = 2;
  cfg.batch = 50;
  cfg.arithmetic = parse({{"schedule", "boosters"}});
  const TrainResult r = train_model(m, all, cfg);
  // Per batch of 50: fc1 forward 50*784*8 and dW 8*784*50 (no dX: it is the
  // first layer); fc2 forward, dW and dX 50*8*8 each; fc3 3 x 50*8*10.
  const std::uint64_t fc1 = 2 * 50 * 784 * 8, fc2 = 3 * 50 * 8 * 8, fc3 = 3 * 50 * 8 * 10;
  const json& macs = r.macs;
  INFO(macs.dump());
  CHECK(macs["per_epoch"][0]["hbfp6"] == 2 * (fc1 + fc3));
  CHECK(macs["per_epoch"][0]["hbfp4"] == 2 * fc2);
  CHECK(macs["per_epoch"][1]["hbfp6"] == 2 * (fc1 + fc2 + fc3));
  CHECK(!macs["per_epoch"][1].contains("hbfp4"));
  CHECK(macs["total"] == 4 * (fc1 + fc2 + fc3));
  CHECK(macs["fraction"]["hbfp4"].get<double>() ==
        Approx(double(2 * fc2) / double(4 * (fc1 + fc2 + fc3))));
  // FP32 training counts the same MACs as fp32; attention score products count as FP32.
  Model f(json{{"model", "mlp"}, {"hidden", {8, 8}}});
  f.init(0);
  cfg.arithmetic = ArithmeticSchedule{};
  CHECK(train_model(f, all, cfg).macs["by_width"] == json{{"fp32", 4 * (fc1 + fc2 + fc3)}});
}

TEST_CASE("hbfp accounting: attention score products, FP32 or HBFP", "[hbfp]") {
  const Dataset all = load_fashion_mnist("train", 20);
  // ViT: 16 patches + class token = 17 tokens, dim 8, 2 heads, depth 1.
  Model m(json{{"model", "vit"}, {"dim", 8}, {"depth", 1}, {"heads", 2}, {"mlp_dim", 16}});
  m.init(0);
  TrainConfig cfg;
  cfg.epochs = 1;
  cfg.batch = 20;
  cfg.arithmetic = parse({{"mantissa", 8}});
  const TrainResult r = train_model(m, all, cfg);
  // Q K^T and P V forward, four products backward: 6 x B x T^2 x D.
  const std::uint64_t scores = std::uint64_t(6) * 20 * 17 * 17 * 8;
  CHECK(r.macs["by_width"]["fp32"] == scores);
  const std::uint64_t projections = r.macs["by_width"]["hbfp8"];
  CHECK(projections > 0);
  // With attention_scores they join their block's width (and the run stays thread-count free).
  cfg.arithmetic = parse({{"mantissa", 8}, {"attention_scores", true}});
  auto run = [&](int threads) {
    omp_set_num_threads(threads);
    Model v(json{{"model", "vit"}, {"dim", 8}, {"depth", 1}, {"heads", 2}, {"mlp_dim", 16}});
    v.init(0);
    const TrainResult t = train_model(v, all, cfg);
    return std::make_pair(t.macs, all_weights(v));
  };
  const auto one = run(1), two = run(2);
  omp_set_num_threads(omp_get_num_procs());
  CHECK(one.first["by_width"] == json{{"hbfp8", scores + projections}});
  CHECK((one.second == two.second));
  CHECK((one.second != all_weights(m)));
}

TEST_CASE("hbfp training: a short HBFP4 run is deterministic and reaches a stated loss",
          "[hbfp][train]") {
  static const Dataset train = load_fashion_mnist("train", 2000);
  TrainConfig cfg;
  cfg.epochs = 3;
  cfg.batch = 64;
  cfg.lr = 2e-3;
  cfg.seed = 7;
  cfg.arithmetic = parse({{"mantissa", 4}, {"rounding", {{"gradients", "stochastic"}}}});
  auto run = [&](int threads) {
    omp_set_num_threads(threads);
    Model m(json{{"model", "mlp"}, {"hidden", {64, 32}}});
    m.init(cfg.seed);
    const TrainResult r = train_model(m, train, cfg);
    return std::make_pair(r.epoch_loss, all_weights(m));
  };
  const auto [loss, weights] = run(1);
  const auto again = run(2);
  omp_set_num_threads(omp_get_num_procs());
  INFO("epoch losses " << json(loss).dump());
  CHECK(loss.front() > loss.back());
  CHECK(loss.back() < 0.62);  // 0.597 here; margin for other BLAS kernels
  CHECK((again.second == weights));
  cfg.arithmetic = ArithmeticSchedule{};
  CHECK((run(1).second != weights));  // HBFP4 really changed the arithmetic
}

TEST_CASE("hbfp training: the gpt under boosters counts MACs by hand and is thread-count free",
          "[hbfp][gpt][train]") {
  // Context 16, width 16, 2 blocks, MLP 32: per token a block's qkv, proj,
  // fc1 and fc2 do 768 + 256 + 512 + 512 multiply-adds and the head 16 x 256.
  const json arch = {{"model", "gpt"}, {"context", 16}, {"dim", 16},
                     {"depth", 2},     {"heads", 2},    {"mlp_dim", 32}};
  std::string text;
  while (text.size() < 16 * 50) text += "In the beginning God created the heaven and the earth.\n";
  TrainConfig cfg;
  cfg.epochs = 2, cfg.batch = 8, cfg.lr = 1e-2, cfg.seed = 4, cfg.warmup_steps = 5;
  cfg.arithmetic = parse({{"schedule", "boosters"}});
  auto run = [&](int threads) {
    omp_set_num_threads(threads);
    Model m(arch);
    m.init(cfg.seed);
    const TrainResult r = train_lm(m, text, cfg);
    return std::make_tuple(r.macs, r.epoch_loss, all_weights(m));
  };
  const auto [macs, loss, weights] = run(1);
  const auto again = run(2);
  omp_set_num_threads(omp_get_num_procs());
  // Windows per epoch as train_lm counts them; forward + two backward products per layer.
  const std::uint64_t tokens = ((text.size() - 16) / 16 - 1) * 16;
  const std::uint64_t first_last = 3 * tokens * (768 + 16 * 256);  // block0 qkv, head
  const std::uint64_t middle = 3 * tokens * (2 * 2048 - 768);
  // Score products stay FP32: Q K^T and P V forward, four backward, per block,
  // over the causal triangle only (16 * 17 / 2 query-key pairs per window).
  const std::uint64_t scores = 2 * 6 * (tokens / 16) * (16 * 17 / 2) * 16;
  CHECK(macs["per_epoch"][0] == json{{"fp32", scores}, {"hbfp4", middle}, {"hbfp6", first_last}});
  CHECK(macs["per_epoch"][1] == json{{"fp32", scores}, {"hbfp6", first_last + middle}});
  INFO("epoch losses " << json(loss).dump());
  CHECK(loss.back() < loss.front());
  CHECK(loss.front() < std::log(256.0));
  CHECK((std::get<2>(again) == weights));
}
