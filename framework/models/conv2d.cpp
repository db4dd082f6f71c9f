#include "models/conv2d.hpp"

#include <cmath>
#include <cstdint>

#include "core/error.hpp"

namespace interplay {

Conv2d::Conv2d(std::size_t in_channels, std::size_t out_channels, std::size_t kernel,
               std::size_t pad)
    : in_c_(in_channels), k_(kernel), pad_(pad) {
  const float bound = 1.0f / std::sqrt(float(in_channels * kernel * kernel));
  params_.emplace_back("weight", Shape{out_channels, in_channels, kernel, kernel}, bound);
  params_.emplace_back("bias", Shape{out_channels}, bound, 0.0f, false);
}

void Conv2d::forward(const Tensor& x, Tensor& y) {
  if (x.rank() != 4 || x.shape[1] != in_c_)
    throw Error("conv2d expects inputs [N, " + std::to_string(in_c_) + ", H, W], got " +
                shape_string(x.shape));
  const std::size_t n = x.shape[0], h = x.shape[2], w = x.shape[3];
  if (h + 2 * pad_ < k_ || w + 2 * pad_ < k_) throw Error("conv2d: input smaller than kernel");
  input_shape_ = x.shape;
  out_h_ = h + 2 * pad_ - k_ + 1;
  out_w_ = w + 2 * pad_ - k_ + 1;
  const std::size_t hw = out_h_ * out_w_, ckk = fan_in(), out = out_features();
  operand_.shape = {n * hw, ckk};
  operand_.data.resize(n * hw * ckk);

  const float* xd = x.data.data();
  float* cols = operand_.data.data();
  const std::int64_t images = std::int64_t(n);
#pragma omp parallel for schedule(static)
  for (std::int64_t b = 0; b < images; ++b) {
    for (std::size_t oy = 0; oy < out_h_; ++oy)
      for (std::size_t ox = 0; ox < out_w_; ++ox) {
        float* row = cols + ((std::size_t(b) * out_h_ + oy) * out_w_ + ox) * ckk;
        for (std::size_t c = 0; c < in_c_; ++c) {
          const float* plane = xd + (std::size_t(b) * in_c_ + c) * h * w;
          for (std::size_t ky = 0; ky < k_; ++ky) {
            const std::ptrdiff_t iy = std::ptrdiff_t(oy + ky) - std::ptrdiff_t(pad_);
            for (std::size_t kx = 0; kx < k_; ++kx) {
              const std::ptrdiff_t ix = std::ptrdiff_t(ox + kx) - std::ptrdiff_t(pad_);
              const bool inside =
                  iy >= 0 && iy < std::ptrdiff_t(h) && ix >= 0 && ix < std::ptrdiff_t(w);
              row[(c * k_ + ky) * k_ + kx] =
                  inside ? plane[std::size_t(iy) * w + std::size_t(ix)] : 0.0f;
            }
          }
        }
      }
  }
  quantize_operand(operand_);
  record_operand(operand_);

  rows_.shape = {n * hw, out};
  rows_.data.resize(n * hw * out);
  matmul(OperandClass::Activations, OperandClass::Weights, false, true, n * hw, out, ckk, cols,
         effective_weight(), 0.0f, rows_.data.data());

  y.shape = {n, out, out_h_, out_w_};
  y.data.resize(n * out * hw);
  const float* r = rows_.data.data();
  const float* bias = params_[1].value.data.data();
  float* yd = y.data.data();
#pragma omp parallel for schedule(static)
  for (std::int64_t b = 0; b < images; ++b)
    for (std::size_t o = 0; o < out; ++o) {
      float* dst = yd + (std::size_t(b) * out + o) * hw;
      const float* src = r + std::size_t(b) * hw * out + o;
      for (std::size_t p = 0; p < hw; ++p) dst[p] = src[p * out] + bias[o];
    }
  record(y);
}

void Conv2d::backward(const Tensor& dy, Tensor& dx) {
  const std::size_t n = input_shape_[0], h = input_shape_[2], w = input_shape_[3];
  const std::size_t hw = out_h_ * out_w_, ckk = fan_in(), out = out_features();
  if (dy.size() != n * out * hw) throw Error("conv2d backward: gradient shape mismatch");
  const float* g = dy.data.data();
  float* r = rows_.data.data();
  const std::int64_t images = std::int64_t(n);
#pragma omp parallel for schedule(static)
  for (std::int64_t b = 0; b < images; ++b)
    for (std::size_t o = 0; o < out; ++o) {
      const float* src = g + (std::size_t(b) * out + o) * hw;
      float* dst = r + std::size_t(b) * hw * out + o;
      for (std::size_t p = 0; p < hw; ++p) dst[p * out] = src[p];
    }
  matmul(OperandClass::Gradients, OperandClass::Activations, true, false, out, ckk, n * hw, r,
         operand_.data.data(), 0.0f, params_[0].grad.data.data());
  float* db = params_[1].grad.data.data();
  for (std::size_t o = 0; o < out; ++o) {
    float s = 0.0f;
    for (std::size_t b = 0; b < n; ++b) {
      const float* src = g + (b * out + o) * hw;
      for (std::size_t p = 0; p < hw; ++p) s += src[p];
    }
    db[o] = s;
  }
  if (!input_grad) return;

  operand_grad_.data.resize(n * hw * ckk);
  float* dcols = operand_grad_.data.data();
  matmul(OperandClass::Gradients, OperandClass::Weights, false, false, n * hw, ckk, out, r,
         effective_weight(), 0.0f, dcols);
  dx.shape = input_shape_;
  dx.data.assign(n * in_c_ * h * w, 0.0f);
  float* dxd = dx.data.data();
#pragma omp parallel for schedule(static)
  for (std::int64_t b = 0; b < images; ++b) {
    for (std::size_t oy = 0; oy < out_h_; ++oy)
      for (std::size_t ox = 0; ox < out_w_; ++ox) {
        const float* row = dcols + ((std::size_t(b) * out_h_ + oy) * out_w_ + ox) * ckk;
        for (std::size_t c = 0; c < in_c_; ++c) {
          float* plane = dxd + (std::size_t(b) * in_c_ + c) * h * w;
          for (std::size_t ky = 0; ky < k_; ++ky) {
            const std::ptrdiff_t iy = std::ptrdiff_t(oy + ky) - std::ptrdiff_t(pad_);
            if (iy < 0 || iy >= std::ptrdiff_t(h)) continue;
            for (std::size_t kx = 0; kx < k_; ++kx) {
              const std::ptrdiff_t ix = std::ptrdiff_t(ox + kx) - std::ptrdiff_t(pad_);
              if (ix < 0 || ix >= std::ptrdiff_t(w)) continue;
              plane[std::size_t(iy) * w + std::size_t(ix)] += row[(c * k_ + ky) * k_ + kx];
            }
          }
        }
      }
  }
}

}  // namespace interplay
