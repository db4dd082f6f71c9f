#pragma once
// Fully connected layer y = x W^T + b on the last dimension: x [..., in],
// W [out, in], b [out], y [..., out]. Leading dimensions are rows.
#include "models/layer.hpp"

namespace interplay {

enum class LinearInit {
  Fan,     // W, b uniform +-1/sqrt(in) (the usual default for ReLU networks)
  Xavier,  // W uniform +-sqrt(6/(in+out)), b = 0 (transformer layers)
};

class Linear final : public LayerBase<Linear, MatmulLayer> {
 public:
  Linear(std::size_t in, std::size_t out, LinearInit init = LinearInit::Fan);
  std::string kind() const override { return "linear"; }
  void forward(const Tensor& x, Tensor& y) override;
  void backward(const Tensor& dy, Tensor& dx) override;

 private:
  Tensor operand_;  // the input as [rows, in], quantized when an input quantizer is set
  Shape input_shape_;
};

}  // namespace interplay
