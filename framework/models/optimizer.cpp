#include "models/optimizer.hpp"

#include <cmath>

#include "core/error.hpp"

namespace interplay {

Optimizer::Optimizer(OptimizerConfig config, std::vector<Param*> params)
    : cfg_(std::move(config)), params_(std::move(params)) {
  if (cfg_.kind != "adam" && cfg_.kind != "sgd")
    throw Error("optimizer: unknown kind '" + cfg_.kind + "' (valid: adam, sgd)");
  for (Param* p : params_) {
    m_.emplace_back(p->value.size(), 0.0f);
    if (cfg_.kind == "adam") v_.emplace_back(p->value.size(), 0.0f);
  }
}

void Optimizer::step(double lr) {
  ++t_;
  const bool adam = cfg_.kind == "adam";
  const float b1 = float(cfg_.beta1), b2 = float(cfg_.beta2), eps = float(cfg_.eps);
  const float c1 = float(1.0 / (1.0 - std::pow(cfg_.beta1, double(t_))));
  const float c2 = float(1.0 / (1.0 - std::pow(cfg_.beta2, double(t_))));
  const float mu = float(cfg_.momentum), flr = float(lr);
  for (std::size_t k = 0; k < params_.size(); ++k) {
    float* w = params_[k]->value.data.data();
    const float* g = params_[k]->grad.data.data();
    float* m = m_[k].data();
    const std::size_t n = params_[k]->value.size();
    const float decay = params_[k]->decay ? float(cfg_.weight_decay) : 0.0f;
    if (adam) {
      float* v = v_[k].data();
      for (std::size_t i = 0; i < n; ++i) {
        m[i] = b1 * m[i] + (1.0f - b1) * g[i];
        v[i] = b2 * v[i] + (1.0f - b2) * g[i] * g[i];
        w[i] -= flr * (m[i] * c1 / (std::sqrt(v[i] * c2) + eps) + decay * w[i]);
      }
    } else {
      for (std::size_t i = 0; i < n; ++i) {
        m[i] = mu * m[i] + g[i] + decay * w[i];
        w[i] -= flr * m[i];
      }
    }
  }
}

double scheduled_lr(double base, long step, long total, long warmup, bool cosine) {
  if (warmup > 0 && step < warmup) return base * double(step + 1) / double(warmup);
  if (!cosine || total <= warmup) return base;
  const double progress = double(step - warmup) / double(total - warmup);
  return base * 0.5 * (1.0 + std::cos(3.14159265358979323846 * progress));
}

}  // namespace interplay
