#pragma once
// 2-D convolution, stride 1, zero padding, as im2col + one GEMM per batch:
// x [N, C, H, W], weight [out, C, k, k] (PyTorch layout), bias [out],
// y [N, out, H + 2 pad - k + 1, W + 2 pad - k + 1]. The im2col operand has one
// row per output pixel and C*k*k columns ordered (c, ky, kx), so the weight's
// flattened rows line up with it and its reduction dimension is contiguous.
#include "models/layer.hpp"

namespace interplay {

class Conv2d final : public LayerBase<Conv2d, MatmulLayer> {
 public:
  Conv2d(std::size_t in_channels, std::size_t out_channels, std::size_t kernel, std::size_t pad);
  std::string kind() const override { return "conv2d"; }
  void forward(const Tensor& x, Tensor& y) override;
  void backward(const Tensor& dy, Tensor& dx) override;

 private:
  std::size_t in_c_, k_, pad_;
  Shape input_shape_;
  std::size_t out_h_ = 0, out_w_ = 0;
  Tensor operand_;  // im2col rows [N*out_h*out_w, C*k*k]
  Tensor rows_;     // output / output gradient as [N*out_h*out_w, out]
  Tensor operand_grad_;
};

}  // namespace interplay
