#pragma once
// 2-D pooling over non-overlapping k x k windows (stride k) of [N, C, H, W];
// trailing rows/columns that do not fill a window are dropped.
#include <cstdint>

#include "models/layer.hpp"

namespace interplay {

class MaxPool2d final : public LayerBase<MaxPool2d> {
 public:
  explicit MaxPool2d(std::size_t k) : k_(k) {}
  std::string kind() const override { return "maxpool2d"; }
  void forward(const Tensor& x, Tensor& y) override;
  void backward(const Tensor& dy, Tensor& dx) override;

 private:
  std::size_t k_;
  Shape input_shape_;
  std::vector<std::uint32_t> argmax_;  // flat input index of each output's maximum
};

class AvgPool2d final : public LayerBase<AvgPool2d> {
 public:
  explicit AvgPool2d(std::size_t k) : k_(k) {}
  std::string kind() const override { return "avgpool2d"; }
  void forward(const Tensor& x, Tensor& y) override;
  void backward(const Tensor& dy, Tensor& dx) override;

 private:
  std::size_t k_;
  Shape input_shape_;
};

}  // namespace interplay
