#pragma once
// Layer normalisation over the last dimension: y = (x - mean) / sqrt(var + eps)
// * weight + bias, with the biased variance (as PyTorch) and eps = 1e-5.
#include "models/layer.hpp"

namespace interplay {

class LayerNorm final : public LayerBase<LayerNorm> {
 public:
  explicit LayerNorm(std::size_t dim);
  std::string kind() const override { return "layer_norm"; }
  void forward(const Tensor& x, Tensor& y) override;
  void backward(const Tensor& dy, Tensor& dx) override;

  static constexpr float kEps = 1e-5f;

 private:
  std::size_t dim_;
  Tensor normalized_;           // x_hat, same shape as x
  std::vector<float> inv_std_;  // per row
};

}  // namespace interplay
