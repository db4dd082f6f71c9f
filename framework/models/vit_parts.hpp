#pragma once
// The pieces of the vision transformer that are not generic layers.
#include "models/activations.hpp"
#include "models/attention.hpp"
#include "models/layer_norm.hpp"
#include "models/linear.hpp"

namespace interplay {

// [N, C, H, W] -> [N, (H/p)(W/p), C p p]: non-overlapping p x p patches in
// row-major patch order, each flattened (c, y, x) — so a Linear on the result
// equals a PyTorch Conv2d(C, D, p, stride=p) with the same (flattened) weight.
class Patchify final : public LayerBase<Patchify> {
 public:
  explicit Patchify(std::size_t patch) : p_(patch) {}
  std::string kind() const override { return "patchify"; }
  void forward(const Tensor& x, Tensor& y) override;
  void backward(const Tensor& dy, Tensor& dx) override;

 private:
  std::size_t p_;
  Shape input_shape_;
};

// [N, T, D] -> [N, T (+1), D]: prepends the learned class token (if any) and
// adds the learned position embedding. Parameters "cls_token" [1, D] and
// "pos_embed" [T (+1), D].
class TokenEmbedding final : public LayerBase<TokenEmbedding> {
 public:
  TokenEmbedding(std::size_t tokens, std::size_t dim, bool class_token);
  std::string kind() const override { return "token_embedding"; }
  void forward(const Tensor& x, Tensor& y) override;
  void backward(const Tensor& dy, Tensor& dx) override;

 private:
  std::size_t tokens_, dim_;
  bool cls_;
  std::size_t batch_ = 0;
};

// Pre-norm transformer block:
//   h = x + attn(norm1(x));  y = h + fc2(gelu(fc1(norm2(h))))
// With `causal` the attention is masked (the `gpt` model's decoder block).
class EncoderBlock final : public LayerBase<EncoderBlock> {
 public:
  EncoderBlock(std::size_t dim, std::size_t heads, std::size_t mlp_dim, bool causal = false);
  std::string kind() const override { return attn_.causal() ? "decoder_block" : "encoder_block"; }
  void forward(const Tensor& x, Tensor& y) override;
  void backward(const Tensor& dy, Tensor& dx) override;
  std::vector<std::pair<std::string, Layer*>> children() override {
    return {{"norm1", &norm1_}, {"attn", &attn_}, {"norm2", &norm2_},
            {"fc1", &fc1_},     {"act", &act_},   {"fc2", &fc2_}};
  }
  MultiHeadAttention& attention() { return attn_; }

  // When set, forward keeps a copy of its output (the residual stream after
  // the block) here: the per-block probe of the layer-wise studies.
  bool record_output = false;
  Tensor recorded_output;

 private:
  LayerNorm norm1_;
  MultiHeadAttention attn_;
  LayerNorm norm2_;
  Linear fc1_;
  Gelu act_;
  Linear fc2_;
  Tensor t1_, t2_, h_, t3_, t4_, t5_;  // forward intermediates
  Tensor g1_, g2_, g3_, g4_, gh_;      // backward intermediates
};

// [N, T, D] -> [N, D]: the class token (token 0) or the mean over tokens.
class TokenPool final : public LayerBase<TokenPool> {
 public:
  explicit TokenPool(bool class_token) : cls_(class_token) {}
  std::string kind() const override { return cls_ ? "class_token_pool" : "mean_pool"; }
  void forward(const Tensor& x, Tensor& y) override;
  void backward(const Tensor& dy, Tensor& dx) override;

 private:
  bool cls_;
  Shape input_shape_;
};

}  // namespace interplay
