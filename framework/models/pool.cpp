#include "models/pool.hpp"

#include "core/error.hpp"

namespace interplay {
namespace {

struct PoolGeometry {
  std::size_t planes, h, w, oh, ow;
};

PoolGeometry geometry(const Tensor& x, std::size_t k, const char* kind) {
  if (x.rank() != 4 || x.shape[2] < k || x.shape[3] < k)
    throw Error(std::string(kind) + " expects inputs [N, C, H, W] with H, W >= " +
                std::to_string(k) + ", got " + shape_string(x.shape));
  return {x.shape[0] * x.shape[1], x.shape[2], x.shape[3], x.shape[2] / k, x.shape[3] / k};
}

}  // namespace

void MaxPool2d::forward(const Tensor& x, Tensor& y) {
  const PoolGeometry g = geometry(x, k_, "maxpool2d");
  input_shape_ = x.shape;
  y.shape = {x.shape[0], x.shape[1], g.oh, g.ow};
  y.data.resize(g.planes * g.oh * g.ow);
  argmax_.resize(y.size());
  const float* xd = x.data.data();
  const std::int64_t planes = std::int64_t(g.planes);
#pragma omp parallel for schedule(static) if (planes > 64)
  for (std::int64_t p = 0; p < planes; ++p)
    for (std::size_t oy = 0; oy < g.oh; ++oy)
      for (std::size_t ox = 0; ox < g.ow; ++ox) {
        // First maximum in scan order wins ties.
        std::size_t best = (std::size_t(p) * g.h + oy * k_) * g.w + ox * k_;
        for (std::size_t dy = 0; dy < k_; ++dy)
          for (std::size_t dx = 0; dx < k_; ++dx) {
            const std::size_t i = (std::size_t(p) * g.h + oy * k_ + dy) * g.w + ox * k_ + dx;
            if (xd[i] > xd[best]) best = i;
          }
        const std::size_t o = (std::size_t(p) * g.oh + oy) * g.ow + ox;
        y.data[o] = xd[best];
        argmax_[o] = std::uint32_t(best);
      }
}

void MaxPool2d::backward(const Tensor& dy, Tensor& dx) {
  if (!input_grad) return;
  dx.shape = input_shape_;
  dx.data.assign(numel(input_shape_), 0.0f);
  // Windows do not overlap: every input receives at most one gradient.
  for (std::size_t o = 0; o < argmax_.size(); ++o) dx.data[argmax_[o]] = dy.data[o];
}

void AvgPool2d::forward(const Tensor& x, Tensor& y) {
  const PoolGeometry g = geometry(x, k_, "avgpool2d");
  input_shape_ = x.shape;
  y.shape = {x.shape[0], x.shape[1], g.oh, g.ow};
  y.data.resize(g.planes * g.oh * g.ow);
  const float scale = 1.0f / float(k_ * k_);
  const float* xd = x.data.data();
  const std::int64_t planes = std::int64_t(g.planes);
#pragma omp parallel for schedule(static) if (planes > 64)
  for (std::int64_t p = 0; p < planes; ++p)
    for (std::size_t oy = 0; oy < g.oh; ++oy)
      for (std::size_t ox = 0; ox < g.ow; ++ox) {
        float s = 0.0f;
        for (std::size_t dy = 0; dy < k_; ++dy)
          for (std::size_t dx = 0; dx < k_; ++dx)
            s += xd[(std::size_t(p) * g.h + oy * k_ + dy) * g.w + ox * k_ + dx];
        y.data[(std::size_t(p) * g.oh + oy) * g.ow + ox] = s * scale;
      }
}

void AvgPool2d::backward(const Tensor& dy, Tensor& dx) {
  if (!input_grad) return;
  const std::size_t planes = input_shape_[0] * input_shape_[1];
  const std::size_t h = input_shape_[2], w = input_shape_[3], oh = h / k_, ow = w / k_;
  dx.shape = input_shape_;
  dx.data.assign(numel(input_shape_), 0.0f);
  const float scale = 1.0f / float(k_ * k_);
  for (std::size_t p = 0; p < planes; ++p)
    for (std::size_t oy = 0; oy < oh; ++oy)
      for (std::size_t ox = 0; ox < ow; ++ox) {
        const float v = dy.data[(p * oh + oy) * ow + ox] * scale;
        for (std::size_t a = 0; a < k_; ++a)
          for (std::size_t b = 0; b < k_; ++b) dx.data[(p * h + oy * k_ + a) * w + ox * k_ + b] = v;
      }
}

}  // namespace interplay
