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
#include "models/linear.hpp"

namespace interplay {

class MultiHeadAttention final : public LayerBase<MultiHeadAttention> {
 public:
  MultiHeadAttention(std::size_t dim, std::size_t heads, bool causal = false);
  bool causal() const { return causal_; }
  std::string kind() const override { return "attention"; }
  void forward(const Tensor& x, Tensor& y) override;
  void backward(const Tensor& dy, Tensor& dx) override;
  // When set, the products Q K^T and P V (forward) and their four backward
  // products are counted here as FP32 MACs: they are not HBFP yet.
  MacCounter* macs = nullptr;
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
  Tensor qkv_out_, probs_, context_;  // [B,T,3D], [B,H,T,T], [B,T,D]
  Tensor context_grad_, qkv_grad_;
};

}  // namespace interplay
