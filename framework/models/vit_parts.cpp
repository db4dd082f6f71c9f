#include "models/vit_parts.hpp"

#include <cstdint>

#include "core/error.hpp"

namespace interplay {

void Patchify::forward(const Tensor& x, Tensor& y) {
  if (x.rank() != 4 || x.shape[2] % p_ != 0 || x.shape[3] % p_ != 0)
    throw Error("patchify expects inputs [N, C, H, W] with H, W multiples of " +
                std::to_string(p_) + ", got " + shape_string(x.shape));
  input_shape_ = x.shape;
  const std::size_t n = x.shape[0], c = x.shape[1], h = x.shape[2], w = x.shape[3];
  const std::size_t ph = h / p_, pw = w / p_, len = c * p_ * p_;
  y.shape = {n, ph * pw, len};
  y.data.resize(x.size());
  for (std::size_t b = 0; b < n; ++b)
    for (std::size_t py = 0; py < ph; ++py)
      for (std::size_t px = 0; px < pw; ++px) {
        float* dst = y.data.data() + ((b * ph + py) * pw + px) * len;
        for (std::size_t ch = 0; ch < c; ++ch)
          for (std::size_t yy = 0; yy < p_; ++yy)
            for (std::size_t xx = 0; xx < p_; ++xx)
              *dst++ = x.data[((b * c + ch) * h + py * p_ + yy) * w + px * p_ + xx];
      }
}

void Patchify::backward(const Tensor& dy, Tensor& dx) {
  if (!input_grad) return;
  const std::size_t n = input_shape_[0], c = input_shape_[1], h = input_shape_[2],
                    w = input_shape_[3];
  const std::size_t ph = h / p_, pw = w / p_, len = c * p_ * p_;
  dx.shape = input_shape_;
  dx.data.resize(dy.size());
  for (std::size_t b = 0; b < n; ++b)
    for (std::size_t py = 0; py < ph; ++py)
      for (std::size_t px = 0; px < pw; ++px) {
        const float* src = dy.data.data() + ((b * ph + py) * pw + px) * len;
        for (std::size_t ch = 0; ch < c; ++ch)
          for (std::size_t yy = 0; yy < p_; ++yy)
            for (std::size_t xx = 0; xx < p_; ++xx)
              dx.data[((b * c + ch) * h + py * p_ + yy) * w + px * p_ + xx] = *src++;
      }
}

TokenEmbedding::TokenEmbedding(std::size_t tokens, std::size_t dim, bool class_token)
    : tokens_(tokens), dim_(dim), cls_(class_token) {
  // Uniform with standard deviation 0.02, the usual ViT embedding scale.
  const float bound = 0.02f * 1.7320508f;
  if (cls_) params_.emplace_back("cls_token", Shape{1, dim}, bound, 0.0f, false);
  params_.emplace_back("pos_embed", Shape{tokens + (cls_ ? 1 : 0), dim}, bound, 0.0f, false);
}

void TokenEmbedding::forward(const Tensor& x, Tensor& y) {
  if (x.rank() != 3 || x.shape[1] != tokens_ || x.shape[2] != dim_)
    throw Error("token_embedding expects inputs [N, " + std::to_string(tokens_) + ", " +
                std::to_string(dim_) + "], got " + shape_string(x.shape));
  batch_ = x.shape[0];
  const std::size_t T = tokens_ + (cls_ ? 1 : 0), D = dim_;
  const float* pos = params_.back().value.data.data();
  y.shape = {batch_, T, D};
  y.data.resize(batch_ * T * D);
  for (std::size_t b = 0; b < batch_; ++b) {
    float* out = y.data.data() + b * T * D;
    if (cls_)
      for (std::size_t i = 0; i < D; ++i) out[i] = params_[0].value.data[i] + pos[i];
    const std::size_t skip = cls_ ? D : 0;
    const float* in = x.data.data() + b * tokens_ * D;
    for (std::size_t i = 0; i < tokens_ * D; ++i) out[skip + i] = in[i] + pos[skip + i];
  }
}

void TokenEmbedding::backward(const Tensor& dy, Tensor& dx) {
  const std::size_t T = tokens_ + (cls_ ? 1 : 0), D = dim_;
  Tensor& gpos = params_.back().grad;
  std::fill(gpos.data.begin(), gpos.data.end(), 0.0f);
  for (std::size_t b = 0; b < batch_; ++b)
    for (std::size_t i = 0; i < T * D; ++i) gpos.data[i] += dy.data[b * T * D + i];
  if (cls_)
    for (std::size_t i = 0; i < D; ++i) params_[0].grad.data[i] = gpos.data[i];
  if (!input_grad) return;
  const std::size_t skip = cls_ ? D : 0;
  dx.shape = {batch_, tokens_, D};
  dx.data.resize(batch_ * tokens_ * D);
  for (std::size_t b = 0; b < batch_; ++b)
    for (std::size_t i = 0; i < tokens_ * D; ++i)
      dx.data[b * tokens_ * D + i] = dy.data[b * T * D + skip + i];
}

EncoderBlock::EncoderBlock(std::size_t dim, std::size_t heads, std::size_t mlp_dim, bool causal)
    : norm1_(dim),
      attn_(dim, heads, causal),
      norm2_(dim),
      fc1_(dim, mlp_dim, LinearInit::Xavier),
      fc2_(mlp_dim, dim, LinearInit::Xavier) {}

namespace {
void add_into(Tensor& y, const Tensor& a, const Tensor& b) {
  y.shape = a.shape;
  y.data.resize(a.size());
  for (std::size_t i = 0; i < a.size(); ++i) y.data[i] = a.data[i] + b.data[i];
}
}  // namespace

void EncoderBlock::forward(const Tensor& x, Tensor& y) {
  norm1_.forward(x, t1_);
  attn_.forward(t1_, t2_);
  add_into(h_, x, t2_);
  norm2_.forward(h_, t3_);
  fc1_.forward(t3_, t4_);
  act_.forward(t4_, t5_);
  fc2_.forward(t5_, y);
  for (std::size_t i = 0; i < y.size(); ++i) y.data[i] += h_.data[i];
  if (record_output) recorded_output = y;
}

void EncoderBlock::backward(const Tensor& dy, Tensor& dx) {
  fc2_.backward(dy, g1_);
  act_.backward(g1_, g2_);
  fc1_.backward(g2_, g3_);
  norm2_.backward(g3_, g4_);
  add_into(gh_, dy, g4_);
  attn_.backward(gh_, g1_);
  norm1_.backward(g1_, g2_);
  if (!input_grad) return;
  add_into(dx, gh_, g2_);
}

void TokenPool::forward(const Tensor& x, Tensor& y) {
  if (x.rank() != 3)
    throw Error("token pool expects inputs [N, T, D], got " + shape_string(x.shape));
  input_shape_ = x.shape;
  const std::size_t n = x.shape[0], T = x.shape[1], D = x.shape[2];
  y.shape = {n, D};
  y.data.assign(n * D, 0.0f);
  for (std::size_t b = 0; b < n; ++b) {
    float* out = y.data.data() + b * D;
    const float* in = x.data.data() + b * T * D;
    if (cls_) {
      for (std::size_t i = 0; i < D; ++i) out[i] = in[i];
    } else {
      for (std::size_t t = 0; t < T; ++t)
        for (std::size_t i = 0; i < D; ++i) out[i] += in[t * D + i];
      for (std::size_t i = 0; i < D; ++i) out[i] /= float(T);
    }
  }
}

void TokenPool::backward(const Tensor& dy, Tensor& dx) {
  if (!input_grad) return;
  const std::size_t n = input_shape_[0], T = input_shape_[1], D = input_shape_[2];
  dx.shape = input_shape_;
  dx.data.assign(n * T * D, 0.0f);
  for (std::size_t b = 0; b < n; ++b)
    for (std::size_t t = 0; t < (cls_ ? 1 : T); ++t)
      for (std::size_t i = 0; i < D; ++i)
        dx.data[(b * T + t) * D + i] = cls_ ? dy.data[b * D + i] : dy.data[b * D + i] / float(T);
}

}  // namespace interplay
