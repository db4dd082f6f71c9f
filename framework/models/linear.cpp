#include "models/linear.hpp"

#include <cmath>

#include "core/error.hpp"

namespace interplay {

Linear::Linear(std::size_t in, std::size_t out, LinearInit init) {
  const float fan = 1.0f / std::sqrt(float(in));
  const float xavier = std::sqrt(6.0f / float(in + out));
  const bool is_fan = init == LinearInit::Fan;
  params_.emplace_back("weight", Shape{out, in}, is_fan ? fan : xavier);
  params_.emplace_back("bias", Shape{out}, is_fan ? fan : 0.0f, 0.0f, false);
}

void Linear::forward(const Tensor& x, Tensor& y) {
  const std::size_t in = fan_in(), out = out_features();
  if (x.rank() == 0 || x.shape.back() != in)
    throw Error("linear layer expects inputs [..., " + std::to_string(in) + "], got " +
                shape_string(x.shape));
  const std::size_t rows = x.size() / in;
  input_shape_ = x.shape;
  operand_.shape = {rows, in};
  operand_.data = x.data;
  quantize_operand(operand_);
  record_operand(operand_);

  Shape ys = x.shape;
  ys.back() = out;
  y.shape = ys;
  y.data.resize(rows * out);
  const float* b = params_[1].value.data.data();
  float* yd = y.data.data();
  for (std::size_t r = 0; r < rows; ++r)
    for (std::size_t j = 0; j < out; ++j) yd[r * out + j] = b[j];
  matmul(OperandClass::Activations, OperandClass::Weights, false, true, rows, out, in,
         operand_.data.data(), effective_weight(), 1.0f, yd);
  record(y);
}

void Linear::backward(const Tensor& dy, Tensor& dx) {
  const std::size_t in = fan_in(), out = out_features();
  const std::size_t rows = operand_.shape[0];
  if (dy.size() != rows * out) throw Error("linear backward: gradient shape mismatch");
  const float* g = dy.data.data();
  matmul(OperandClass::Gradients, OperandClass::Activations, true, false, out, in, rows, g,
         operand_.data.data(), 0.0f, params_[0].grad.data.data());
  // Bias gradient: rows summed in order, so the result is thread-count free.
  float* db = params_[1].grad.data.data();
  for (std::size_t j = 0; j < out; ++j) db[j] = 0.0f;
  for (std::size_t r = 0; r < rows; ++r)
    for (std::size_t j = 0; j < out; ++j) db[j] += g[r * out + j];
  if (!input_grad) return;
  dx.shape = input_shape_;
  dx.data.resize(rows * in);
  matmul(OperandClass::Gradients, OperandClass::Weights, false, false, rows, in, out, g,
         effective_weight(), 0.0f, dx.data.data());
}

}  // namespace interplay
