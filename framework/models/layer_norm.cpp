#include "models/layer_norm.hpp"

#include <cmath>
#include <cstdint>

#include "core/error.hpp"

namespace interplay {

LayerNorm::LayerNorm(std::size_t dim) : dim_(dim) {
  params_.emplace_back("weight", Shape{dim}, 0.0f, 1.0f, false);
  params_.emplace_back("bias", Shape{dim}, 0.0f, 0.0f, false);
}

void LayerNorm::forward(const Tensor& x, Tensor& y) {
  if (x.rank() == 0 || x.shape.back() != dim_)
    throw Error("layer_norm expects inputs [..., " + std::to_string(dim_) + "], got " +
                shape_string(x.shape));
  const std::size_t rows = x.size() / dim_, d = dim_;
  normalized_.shape = x.shape;
  normalized_.data.resize(x.size());
  inv_std_.resize(rows);
  y.shape = x.shape;
  y.data.resize(x.size());
  const float* gamma = params_[0].value.data.data();
  const float* beta = params_[1].value.data.data();
  const std::int64_t nrows = std::int64_t(rows);
#pragma omp parallel for schedule(static) if (nrows > 256)
  for (std::int64_t r = 0; r < nrows; ++r) {
    const float* xr = x.data.data() + std::size_t(r) * d;
    float* nr = normalized_.data.data() + std::size_t(r) * d;
    float* yr = y.data.data() + std::size_t(r) * d;
    double mean = 0.0;
    for (std::size_t i = 0; i < d; ++i) mean += xr[i];
    mean /= double(d);
    double var = 0.0;
    for (std::size_t i = 0; i < d; ++i) var += (xr[i] - mean) * (xr[i] - mean);
    var /= double(d);
    const float inv = float(1.0 / std::sqrt(var + double(kEps)));
    inv_std_[std::size_t(r)] = inv;
    for (std::size_t i = 0; i < d; ++i) {
      nr[i] = float(xr[i] - mean) * inv;
      yr[i] = nr[i] * gamma[i] + beta[i];
    }
  }
}

void LayerNorm::backward(const Tensor& dy, Tensor& dx) {
  const std::size_t rows = normalized_.size() / dim_, d = dim_;
  const float* g = dy.data.data();
  const float* xh = normalized_.data.data();
  float* dgamma = params_[0].grad.data.data();
  float* dbeta = params_[1].grad.data.data();
  for (std::size_t i = 0; i < d; ++i) dgamma[i] = dbeta[i] = 0.0f;
  for (std::size_t r = 0; r < rows; ++r)
    for (std::size_t i = 0; i < d; ++i) {
      dgamma[i] += g[r * d + i] * xh[r * d + i];
      dbeta[i] += g[r * d + i];
    }
  if (!input_grad) return;
  dx.shape = normalized_.shape;
  dx.data.resize(normalized_.size());
  const float* gamma = params_[0].value.data.data();
  const std::int64_t nrows = std::int64_t(rows);
#pragma omp parallel for schedule(static) if (nrows > 256)
  for (std::int64_t r = 0; r < nrows; ++r) {
    const std::size_t off = std::size_t(r) * d;
    // dx = inv_std * (g' - mean(g') - x_hat * mean(g' x_hat)), g' = dy * gamma
    double m1 = 0.0, m2 = 0.0;
    for (std::size_t i = 0; i < d; ++i) {
      const double gi = double(g[off + i]) * gamma[i];
      m1 += gi;
      m2 += gi * xh[off + i];
    }
    m1 /= double(d);
    m2 /= double(d);
    const double inv = inv_std_[std::size_t(r)];
    for (std::size_t i = 0; i < d; ++i) {
      const double gi = double(g[off + i]) * gamma[i];
      dx.data[off + i] = float(inv * (gi - m1 - xh[off + i] * m2));
    }
  }
}

}  // namespace interplay
