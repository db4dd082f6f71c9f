#pragma once
// Adam (with decoupled weight decay, AdamW) and SGD with momentum, plus the
// learning-rate schedule used for training: linear warm-up, cosine decay.
#include <string>
#include <vector>

#include "models/layer.hpp"

namespace interplay {

struct OptimizerConfig {
  std::string kind = "adam";  // "adam" | "sgd"
  double beta1 = 0.9, beta2 = 0.999, eps = 1e-8;
  double momentum = 0.9;
  double weight_decay = 0.0;  // applied to parameters with decay = true
};

class Optimizer {
 public:
  Optimizer(OptimizerConfig config, std::vector<Param*> params);
  // One update from the parameters' current gradients.
  void step(double lr);

 private:
  OptimizerConfig cfg_;
  std::vector<Param*> params_;
  std::vector<std::vector<float>> m_, v_;
  long t_ = 0;
};

// Learning rate at `step` (0-based) of `total`: linear warm-up over `warmup`
// steps to `base`, then cosine decay to 0 (constant when cosine is false).
double scheduled_lr(double base, long step, long total, long warmup, bool cosine);

}  // namespace interplay
