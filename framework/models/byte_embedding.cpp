#include "models/byte_embedding.hpp"

#include <algorithm>
#include <cmath>

#include "core/error.hpp"

namespace interplay {

ByteEmbedding::ByteEmbedding(std::size_t context, std::size_t dim) : context_(context), dim_(dim) {
  // Uniform with standard deviation 0.02 (GPT-2's embedding scale); like
  // the ViT's position embedding, not decayed.
  const float bound = 0.02f * 1.7320508f;
  params_.emplace_back("weight", Shape{256, dim}, bound, 0.0f, false);
  params_.emplace_back("pos_embed", Shape{context, dim}, bound, 0.0f, false);
}

void ByteEmbedding::forward(const Tensor& x, Tensor& y) {
  if (x.rank() != 2 || x.shape[1] > context_ || x.shape[1] == 0)
    throw Error("byte_embedding expects inputs [N, T] with 1 <= T <= " + std::to_string(context_) +
                ", got " + shape_string(x.shape));
  input_shape_ = x.shape;
  const std::size_t n = x.shape[0], T = x.shape[1], D = dim_;
  bytes_.resize(n * T);
  for (std::size_t i = 0; i < n * T; ++i) {
    // Round to the nearest index, so a tiny perturbation of x (finite
    // differences) selects the same byte; out-of-range values are refused.
    const float v = std::nearbyint(x.data[i]);
    if (!(v >= 0.0f && v <= 255.0f))
      throw Error("byte_embedding: input " + std::to_string(x.data[i]) + " is not a byte");
    bytes_[i] = std::uint8_t(v);
  }
  const float* table = params_[0].value.data.data();
  const float* pos = params_[1].value.data.data();
  y.shape = {n, T, D};
  y.data.resize(n * T * D);
  for (std::size_t r = 0; r < n * T; ++r) {
    const float* e = table + std::size_t(bytes_[r]) * D;
    const float* p = pos + (r % T) * D;
    float* out = y.data.data() + r * D;
    for (std::size_t i = 0; i < D; ++i) out[i] = e[i] + p[i];
  }
}

void ByteEmbedding::backward(const Tensor& dy, Tensor& dx) {
  const std::size_t n = input_shape_[0], T = input_shape_[1], D = dim_;
  Tensor& gtable = params_[0].grad;
  Tensor& gpos = params_[1].grad;
  std::fill(gtable.data.begin(), gtable.data.end(), 0.0f);
  std::fill(gpos.data.begin(), gpos.data.end(), 0.0f);
  // Sequential accumulation in row order: the same sums for any thread count.
  for (std::size_t r = 0; r < n * T; ++r) {
    const float* g = dy.data.data() + r * D;
    float* gt = gtable.data.data() + std::size_t(bytes_[r]) * D;
    float* gp = gpos.data.data() + (r % T) * D;
    for (std::size_t i = 0; i < D; ++i) gt[i] += g[i], gp[i] += g[i];
  }
  if (!input_grad) return;
  dx.shape = input_shape_;
  dx.data.assign(n * T, 0.0f);
}

}  // namespace interplay
