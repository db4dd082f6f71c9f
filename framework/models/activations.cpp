#include "models/activations.hpp"

#include <cmath>
#include <cstdint>

#include "core/error.hpp"

namespace interplay {

void Relu::forward(const Tensor& x, Tensor& y) {
  input_ = x;
  y.shape = x.shape;
  y.data.resize(x.size());
  const float* a = x.data.data();
  float* b = y.data.data();
  for (std::size_t i = 0; i < x.size(); ++i) b[i] = a[i] > 0.0f ? a[i] : 0.0f;
}

void Relu::backward(const Tensor& dy, Tensor& dx) {
  if (!input_grad) return;
  dx.shape = input_.shape;
  dx.data.resize(input_.size());
  const float* a = input_.data.data();
  const float* g = dy.data.data();
  float* d = dx.data.data();
  for (std::size_t i = 0; i < input_.size(); ++i) d[i] = a[i] > 0.0f ? g[i] : 0.0f;
}

namespace {
constexpr double kInvSqrt2 = 0.70710678118654752440;
constexpr double kInvSqrt2Pi = 0.39894228040143267794;
}  // namespace

void Gelu::forward(const Tensor& x, Tensor& y) {
  input_ = x;
  y.shape = x.shape;
  y.data.resize(x.size());
  const float* a = x.data.data();
  float* b = y.data.data();
  const std::int64_t n = std::int64_t(x.size());
#pragma omp parallel for schedule(static) if (n > (1 << 16))
  for (std::int64_t i = 0; i < n; ++i) {
    const double v = a[i];
    b[i] = float(0.5 * v * (1.0 + std::erf(v * kInvSqrt2)));
  }
}

void Gelu::backward(const Tensor& dy, Tensor& dx) {
  if (!input_grad) return;
  dx.shape = input_.shape;
  dx.data.resize(input_.size());
  const float* a = input_.data.data();
  const float* g = dy.data.data();
  float* d = dx.data.data();
  const std::int64_t n = std::int64_t(input_.size());
#pragma omp parallel for schedule(static) if (n > (1 << 16))
  for (std::int64_t i = 0; i < n; ++i) {
    const double v = a[i];
    const double cdf = 0.5 * (1.0 + std::erf(v * kInvSqrt2));
    const double pdf = kInvSqrt2Pi * std::exp(-0.5 * v * v);
    d[i] = float(g[i] * (cdf + v * pdf));
  }
}

void Flatten::forward(const Tensor& x, Tensor& y) {
  if (x.rank() < 1) throw Error("flatten expects a batch dimension");
  input_shape_ = x.shape;
  y.shape = {x.shape[0], x.shape[0] ? x.size() / x.shape[0] : 0};
  y.data = x.data;
}

void Flatten::backward(const Tensor& dy, Tensor& dx) {
  if (!input_grad) return;
  dx.shape = input_shape_;
  dx.data = dy.data;
}

}  // namespace interplay
