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

std::uint64_t MultiHeadAttention::score_macs() const {
  const std::uint64_t T = tokens_, pairs = causal_ ? T * (T + 1) / 2 : T * T;
  return std::uint64_t(batch_) * pairs * dim_;  // H heads of D/H each
}

const float* MultiHeadAttention::converted(Tensor& t, const Shape& view, int axis, OperandClass c,
                                           std::uint64_t call, Tensor& out) {
  if (scores.width == 0) return t.data.data();
  const Shape shape = t.shape;
  t.shape = view;  // the same data seen with the reduction dimension as one axis
  arithmetic_convert(scores, call, c, t, axis, out);
  t.shape = shape;
  out.shape = shape;
  return out.data.data();
}

void MultiHeadAttention::forward(const Tensor& x, Tensor& y) {
  if (x.rank() != 3 || x.shape[2] != dim_)
    throw Error("attention expects inputs [B, T, " + std::to_string(dim_) + "], got " +
                shape_string(x.shape));
  batch_ = x.shape[0];
  tokens_ = x.shape[1];
  const std::size_t B = batch_, T = tokens_, D = dim_, H = heads_, dh = D / H;
  const float scale = 1.0f / std::sqrt(float(dh));
  qkv_.forward(x, qkv_out_);
  if (matmul_quantizer) {
    quantize_qk();
    quantize_v();
  }
  probs_.shape = {B, H, T, T};
  probs_.data.resize(B * H * T * T);
  context_.shape = {B, T, D};
  context_.data.resize(B * T * D);

  // Q K^T reduces over each head's dh features (rows of dh), P V over the
  // tokens (P along its rows, V down its columns).
  const std::uint64_t call = scores.calls;
  scores.calls += 2;
  const float* qk =
      converted(qkv_out_, {B * T * 3 * H, dh}, 1, OperandClass::Activations, call, qkv_rows_);
  const std::int64_t pairs = std::int64_t(B * H);
#pragma omp parallel for schedule(static)
  for (std::int64_t bh = 0; bh < pairs; ++bh) {
    const std::size_t b = std::size_t(bh) / H, h = std::size_t(bh) % H;
    const float* base = qk + b * T * 3 * D;
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
  const float* P =
      converted(probs_, {B * H * T, T}, 1, OperandClass::Activations, call + 1, probs_rows_);
  const float* vals =
      converted(qkv_out_, {B, T, 3 * D}, 1, OperandClass::Activations, call + 1, qkv_cols_);
#pragma omp parallel for schedule(static)
  for (std::int64_t bh = 0; bh < pairs; ++bh) {
    const std::size_t b = std::size_t(bh) / H, h = std::size_t(bh) % H;
    const float* base = vals + b * T * 3 * D;
    const float* A = P + std::size_t(bh) * T * T;
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
  if (scores.macs) scores.macs->add(scores.width, 2 * score_macs());
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
  const std::size_t B = batch_, T = tokens_, D = dim_, H = heads_, dh = D / H;
  const float scale = 1.0f / std::sqrt(float(dh));
  proj_.backward(dy, context_grad_);
  qkv_grad_.shape = qkv_out_.shape;
  qkv_grad_.data.assign(qkv_out_.size(), 0.0f);
  dscores_.shape = {B, H, T, T};
  dscores_.data.assign(B * H * T * T, 0.0f);  // masked entries stay 0 (they join blocks)

  // dA = dO V^T reduces over dh (rows of dO and V), dV = A^T dO over the
  // queries (columns of A and dO); dQ = dS K over the keys (rows of dS,
  // columns of K), dK = dS^T Q over the queries (columns of dS and Q).
  const std::uint64_t call = scores.calls;
  scores.calls += 4;
  const float* go_rows =
      converted(context_grad_, {B * T * H, dh}, 1, OperandClass::Gradients, call, grad_rows_);
  const float* v_rows = scores.width ? qkv_rows_.data.data() : qkv_out_.data.data();
  const float* go_cols =
      converted(context_grad_, {B, T, D}, 1, OperandClass::Gradients, call + 1, grad_cols_);
  const float* a_cols =
      converted(probs_, {B * H, T, T}, 1, OperandClass::Activations, call + 1, probs_cols_);
  const std::int64_t pairs = std::int64_t(B * H);
#pragma omp parallel for schedule(static)
  for (std::int64_t bh = 0; bh < pairs; ++bh) {
    const std::size_t b = std::size_t(bh) / H, h = std::size_t(bh) % H;
    const float* vbase = v_rows + b * T * 3 * D;
    float* gbase = qkv_grad_.data.data() + b * T * 3 * D;
    const float* A = probs_.data.data() + std::size_t(bh) * T * T;
    const float* Ac = a_cols + std::size_t(bh) * T * T;
    float* dscore = dscores_.data.data() + std::size_t(bh) * T * T;
    for (std::size_t t = 0; t < T; ++t) {
      const float* go = go_rows + (b * T + t) * D + h * dh;
      const float* goc = go_cols + (b * T + t) * D + h * dh;
      // Masked entries have A = 0, so every term below vanishes for s >= seen.
      const std::size_t seen = causal_ ? t + 1 : T;
      // dA[t,s] = <dO_t, V_s>; dV_s += A[t,s] dO_t
      float weighted = 0.0f;
      for (std::size_t s = 0; s < seen; ++s) {
        const float* v = vbase + s * 3 * D + 2 * D + h * dh;
        float* gv = gbase + s * 3 * D + 2 * D + h * dh;
        float da = 0.0f;
        for (std::size_t d = 0; d < dh; ++d) {
          da += go[d] * v[d];
          gv[d] += Ac[t * T + s] * goc[d];
        }
        dscore[t * T + s] = da;
        weighted += A[t * T + s] * da;
      }
      // Softmax backward (FP32), folded with the 1/sqrt(dh) score scale.
      for (std::size_t s = 0; s < seen; ++s)
        dscore[t * T + s] = A[t * T + s] * (dscore[t * T + s] - weighted) * scale;
    }
  }
  const float* ds_rows =
      converted(dscores_, {B * H * T, T}, 1, OperandClass::Gradients, call + 2, dscores_rows_);
  const float* ds_cols =
      converted(dscores_, {B * H, T, T}, 1, OperandClass::Gradients, call + 3, dscores_cols_);
  const float* qk_cols = scores.width ? qkv_cols_.data.data() : qkv_out_.data.data();
#pragma omp parallel for schedule(static)
  for (std::int64_t bh = 0; bh < pairs; ++bh) {
    const std::size_t b = std::size_t(bh) / H, h = std::size_t(bh) % H;
    const float* base = qk_cols + b * T * 3 * D;
    float* gbase = qkv_grad_.data.data() + b * T * 3 * D;
    const float* dsr = ds_rows + std::size_t(bh) * T * T;
    const float* dsc = ds_cols + std::size_t(bh) * T * T;
    for (std::size_t t = 0; t < T; ++t) {
      const float* q = base + t * 3 * D + h * dh;
      float* gq = gbase + t * 3 * D + h * dh;
      const std::size_t seen = causal_ ? t + 1 : T;
      for (std::size_t s = 0; s < seen; ++s) {
        const float* k = base + s * 3 * D + D + h * dh;
        float* gk = gbase + s * 3 * D + D + h * dh;
        const float wr = dsr[t * T + s], wc = dsc[t * T + s];
        for (std::size_t d = 0; d < dh; ++d) {
          gq[d] += wr * k[d];
          gk[d] += wc * q[d];
        }
      }
    }
  }
  if (scores.macs) scores.macs->add(scores.width, 4 * score_macs());
  qkv_.input_grad = input_grad;
  qkv_.backward(qkv_grad_, dx);
}

}  // namespace interplay
