#pragma once
// Element-wise activations. GELU is the exact form x * Phi(x).
#include "models/layer.hpp"

namespace interplay {

class Relu final : public LayerBase<Relu> {
 public:
  std::string kind() const override { return "relu"; }
  void forward(const Tensor& x, Tensor& y) override;
  void backward(const Tensor& dy, Tensor& dx) override;

 private:
  Tensor input_;
};

class Gelu final : public LayerBase<Gelu> {
 public:
  std::string kind() const override { return "gelu"; }
  void forward(const Tensor& x, Tensor& y) override;
  void backward(const Tensor& dy, Tensor& dx) override;

 private:
  Tensor input_;
};

// [N, ...] -> [N, prod(...)]: the PyTorch flatten order (C, H, W).
class Flatten final : public LayerBase<Flatten> {
 public:
  std::string kind() const override { return "flatten"; }
  void forward(const Tensor& x, Tensor& y) override;
  void backward(const Tensor& dy, Tensor& dx) override;

 private:
  Shape input_shape_;
};

}  // namespace interplay
