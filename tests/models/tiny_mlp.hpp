#pragma once
// The small trained MLP the model-level tests share (784-64-48-10, two epochs):
// good enough for compression to matter, fast enough to train per test binary.
#include "models/dataset.hpp"
#include "models/model.hpp"
#include "models/trainer.hpp"

namespace interplay::test {

inline Model train_tiny_mlp(const Dataset& train, std::uint64_t seed) {
  Model model(json{{"model", "mlp"}, {"hidden", {64, 48}}});
  model.init(seed);
  TrainConfig cfg;
  cfg.epochs = 2;
  cfg.batch = 50;
  cfg.lr = 3e-3;
  train_model(model, train, cfg);
  return model;
}

}  // namespace interplay::test
