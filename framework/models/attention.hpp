#pragma once
// Multi-head self-attention on [B, T, D] tokens, optionally causal:
//   [q k v] = x Wqkv^T + bqkv   (child "qkv": Linear D -> 3D, q | k | v blocks,
//                                head h owns columns h*D/H .. (h+1)*D/H - 1 of each)
//   A_h = softmax(q_h k_h^T / sqrt(D/H)),  o_h = A_h v_h
// With `causal`, token t attends to tokens s <= t only (A_h[t, s] = 0 for
// s > t, the decoder's mask): the masked scores are never computed, which is
// exactly a -inf mask before the softmax.
//   y = concat_h(o_h) Wproj^T + bproj   (child "proj": Linear D -> D)
// The two projections are the attention weights compression acts on.
//
// `matmul_quantizer` (null by default) quantizes the operands of the two
// activation-activation products, as MX / HBFP inference runs them: q_h and
// k_h along the head dimension (the reduction of q k^T), then A_h along the
// keys and v_h along the tokens (the reduction of A v), each in blocks of the
// quantizer along that reduction. Backward then differentiates the quantized
// forward and passes the gradient straight through the rounding.
#include <memory>

#include "models/linear.hpp"

namespace interplay {

class MultiHeadAttention final : public LayerBase<MultiHeadAttention> {
 public:
  MultiHeadAttention(std::size_t dim, std::size_t heads, bool causal = false);
  bool causal() const { return causal_; }
  std::string kind() const override { return "attention"; }
  void forward(const Tensor& x, Tensor& y) override;
  void backward(const Tensor& dy, Tensor& dx) override;
  // The arithmetic of the score products Q K^T and P V and of their four
  // backward products (the projections are the children's own): FP32 by
  // default; at width > 0 each product converts both operands to HBFP along
  // its reduction dimension (dh features or tokens), softmax staying FP32.
  GemmArithmetic scores;
  std::shared_ptr<const Quantizer> matmul_quantizer;
  std::vector<std::pair<std::string, Layer*>> children() override {
    return {{"qkv", &qkv_}, {"proj", &proj_}};
  }

 private:
  std::size_t dim_, heads_;
  bool causal_;
  Linear qkv_, proj_;
  std::size_t batch_ = 0, tokens_ = 0;
  // MACs of one score product over the batch: B * H * (attended pairs) * D/H.
  std::uint64_t score_macs() const;
  Tensor qkv_out_, probs_, context_;          // [B,T,3D], [B,H,T,T], [B,T,D]
  Tensor context_grad_, qkv_grad_, dscores_;  // dscores_: dL/dscores [B,H,T,T]
  // HBFP copies (used only at scores.width > 0): qkv blocked along dh and
  // along tokens, probabilities and score gradients along rows and columns,
  // output gradients along dh and tokens.
  Tensor qkv_rows_, qkv_cols_, probs_rows_, probs_cols_, dscores_rows_, dscores_cols_, grad_rows_,
      grad_cols_;
  // The data of `t` under scores (FP32: t itself), viewed as `view` with
  // blocks along `axis` of the view; `out` holds the converted copy.
  const float* converted(Tensor& t, const Shape& view, int axis, OperandClass c, std::uint64_t call,
                         Tensor& out);
  Tensor scratch_;  // operand rows for matmul_quantizer
  void quantize_qk();
  void quantize_v();
  void quantize_probs();
};

}  // namespace interplay
