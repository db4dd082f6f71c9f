#include "models/attention.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "core/error.hpp"

namespace interplay {

MultiHeadAttention::MultiHeadAttention(std::size_t dim, std::size_t heads, bool causal)
    : dim_(dim),
      heads_(heads),
      causal_(causal),
      qkv_(dim, 3 * dim, LinearInit::Xavier),
      proj_(dim, dim, LinearInit::Xavier) {
  if (heads == 0 || dim % heads != 0)
    throw Error("attention: dim " + std::to_string(dim) + " is not a multiple of heads " +
                std::to_string(heads));
}

void MultiHeadAttention::forward(const Tensor& x, Tensor& y) {
  if (x.rank() != 3 || x.shape[2] != dim_)
    throw Error("attention expects inputs [B, T, " + std::to_string(dim_) + "], got " +
                shape_string(x.shape));
  batch_ = x.shape[0];
  tokens_ = x.shape[1];
  const std::size_t T = tokens_, D = dim_, H = heads_, dh = D / H;
  const float scale = 1.0f / std::sqrt(float(dh));
  qkv_.forward(x, qkv_out_);
  probs_.shape = {batch_, H, T, T};
  probs_.data.resize(batch_ * H * T * T);
  context_.shape = {batch_, T, D};
  context_.data.resize(batch_ * T * D);

  if (matmul_quantizer) {
    quantize_qk();
    quantize_v();
  }
  const float* qkv = qkv_out_.data.data();
  const std::int64_t pairs = std::int64_t(batch_ * H);
  // Scores and softmax first, then A v: the attention probabilities are a
  // matmul operand that the matmul quantizer rounds in between.
#pragma omp parallel for schedule(static)
  for (std::int64_t bh = 0; bh < pairs; ++bh) {
    const std::size_t b = std::size_t(bh) / H, h = std::size_t(bh) % H;
    const float* base = qkv + b * T * 3 * D;
    float* A = probs_.data.data() + std::size_t(bh) * T * T;
    for (std::size_t t = 0; t < T; ++t) {
      const float* q = base + t * 3 * D + h * dh;
      float* row = A + t * T;
      const std::size_t seen = causal_ ? t + 1 : T;  // keys this query may attend to
      for (std::size_t s = seen; s < T; ++s) row[s] = 0.0f;
      float mx = -INFINITY;
      for (std::size_t s = 0; s < seen; ++s) {
        const float* k = base + s * 3 * D + D + h * dh;
        float dot = 0.0f;
        for (std::size_t d = 0; d < dh; ++d) dot += q[d] * k[d];
        row[s] = dot * scale;
        mx = std::max(mx, row[s]);
      }
      float sum = 0.0f;
      for (std::size_t s = 0; s < seen; ++s) sum += (row[s] = std::exp(row[s] - mx));
      const float inv = 1.0f / sum;
      for (std::size_t s = 0; s < seen; ++s) row[s] *= inv;
    }
  }
  if (matmul_quantizer) quantize_probs();
#pragma omp parallel for schedule(static)
  for (std::int64_t bh = 0; bh < pairs; ++bh) {
    const std::size_t b = std::size_t(bh) / H, h = std::size_t(bh) % H;
    const float* base = qkv + b * T * 3 * D;
    const float* A = probs_.data.data() + std::size_t(bh) * T * T;
    for (std::size_t t = 0; t < T; ++t) {
      const float* row = A + t * T;
      const std::size_t seen = causal_ ? t + 1 : T;
      float* o = context_.data.data() + (b * T + t) * D + h * dh;
      for (std::size_t d = 0; d < dh; ++d) o[d] = 0.0f;
      for (std::size_t s = 0; s < seen; ++s) {
        const float* v = base + s * 3 * D + 2 * D + h * dh;
        for (std::size_t d = 0; d < dh; ++d) o[d] += row[s] * v[d];
      }
    }
  }
  proj_.forward(context_, y);
}

// q and k: each token's D values of the block are H rows of dh values, the
// reduction of q k^T; rounded in place in qkv_out_.
void MultiHeadAttention::quantize_qk() {
  const std::size_t rows = batch_ * tokens_, D = dim_, dh = D / heads_;
  scratch_.shape = {rows * heads_, dh};
  scratch_.data.resize(rows * D);
  for (const std::size_t part : {std::size_t(0), D}) {
    for (std::size_t r = 0; r < rows; ++r)
      std::copy_n(qkv_out_.data.data() + r * 3 * D + part, D, scratch_.data.data() + r * D);
    matmul_quantizer->quantize(scratch_, scratch_);
    for (std::size_t r = 0; r < rows; ++r)
      std::copy_n(scratch_.data.data() + r * D, D, qkv_out_.data.data() + r * 3 * D + part);
  }
}

// v: the reduction of A v runs over the tokens, so the rows are v_h transposed
// ([B, H, dh] rows of T values).
void MultiHeadAttention::quantize_v() {
  const std::size_t B = batch_, T = tokens_, D = dim_, H = heads_, dh = D / H;
  scratch_.shape = {B * H * dh, T};
  scratch_.data.resize(B * H * dh * T);
  float* v = qkv_out_.data.data();
  for (std::size_t b = 0; b < B; ++b)
    for (std::size_t s = 0; s < T; ++s)
      for (std::size_t c = 0; c < D; ++c)  // c = h * dh + d
        scratch_.data[(b * D + c) * T + s] = v[(b * T + s) * 3 * D + 2 * D + c];
  matmul_quantizer->quantize(scratch_, scratch_);
  for (std::size_t b = 0; b < B; ++b)
    for (std::size_t s = 0; s < T; ++s)
      for (std::size_t c = 0; c < D; ++c)
        v[(b * T + s) * 3 * D + 2 * D + c] = scratch_.data[(b * D + c) * T + s];
}

// A: rows of T key weights (a causal row's masked entries are rounded with
// it but never enter A v).
void MultiHeadAttention::quantize_probs() {
  const Shape shape = probs_.shape;
  probs_.shape = {batch_ * heads_ * tokens_, tokens_};
  matmul_quantizer->quantize(probs_, probs_);
  probs_.shape = shape;
}

void MultiHeadAttention::backward(const Tensor& dy, Tensor& dx) {
  const std::size_t T = tokens_, D = dim_, H = heads_, dh = D / H;
  const float scale = 1.0f / std::sqrt(float(dh));
  proj_.backward(dy, context_grad_);
  qkv_grad_.shape = qkv_out_.shape;
  qkv_grad_.data.assign(qkv_out_.size(), 0.0f);

  const float* qkv = qkv_out_.data.data();
  const float* dctx = context_grad_.data.data();
  const std::int64_t pairs = std::int64_t(batch_ * H);
#pragma omp parallel
  {
    std::vector<float> dscore(T * T);
#pragma omp for schedule(static)
    for (std::int64_t bh = 0; bh < pairs; ++bh) {
      const std::size_t b = std::size_t(bh) / H, h = std::size_t(bh) % H;
      const float* base = qkv + b * T * 3 * D;
      float* gbase = qkv_grad_.data.data() + b * T * 3 * D;
      const float* A = probs_.data.data() + std::size_t(bh) * T * T;
      for (std::size_t t = 0; t < T; ++t) {
        const float* go = dctx + (b * T + t) * D + h * dh;
        // Masked entries have A = 0, so every term below vanishes for s >= seen.
        const std::size_t seen = causal_ ? t + 1 : T;
        // dA[t,s] = <dO_t, V_s>; dV_s += A[t,s] dO_t
        float weighted = 0.0f;
        for (std::size_t s = 0; s < seen; ++s) {
          const float* v = base + s * 3 * D + 2 * D + h * dh;
          float* gv = gbase + s * 3 * D + 2 * D + h * dh;
          float da = 0.0f;
          for (std::size_t d = 0; d < dh; ++d) {
            da += go[d] * v[d];
            gv[d] += A[t * T + s] * go[d];
          }
          dscore[t * T + s] = da;
          weighted += A[t * T + s] * da;
        }
        // Softmax backward, folded with the 1/sqrt(dh) score scale.
        for (std::size_t s = 0; s < seen; ++s)
          dscore[t * T + s] = A[t * T + s] * (dscore[t * T + s] - weighted) * scale;
      }
      for (std::size_t t = 0; t < T; ++t) {
        const float* q = base + t * 3 * D + h * dh;
        float* gq = gbase + t * 3 * D + h * dh;
        const std::size_t seen = causal_ ? t + 1 : T;
        for (std::size_t s = 0; s < seen; ++s) {
          const float* k = base + s * 3 * D + D + h * dh;
          float* gk = gbase + s * 3 * D + D + h * dh;
          const float w = dscore[t * T + s];
          for (std::size_t d = 0; d < dh; ++d) {
            gq[d] += w * k[d];
            gk[d] += w * q[d];
          }
        }
      }
    }
  }
  qkv_.input_grad = input_grad;
  qkv_.backward(qkv_grad_, dx);
}

}  // namespace interplay
