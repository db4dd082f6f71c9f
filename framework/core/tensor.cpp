#include "core/tensor.hpp"

#include "core/error.hpp"

namespace interplay {

std::size_t numel(const Shape& shape) {
  std::size_t n = 1;
  for (auto d : shape)
    if (__builtin_mul_overflow(n, d, &n))  // a wrapped count would pass every size check
      throw Error("shape " + shape_string(shape) + " has more elements than can be addressed");
  return n;
}

std::string shape_string(const Shape& shape) {
  std::string s = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? "," : "") + std::to_string(shape[i]);
  return s + "]";
}

Tensor::Tensor(Shape s, std::vector<float> d) : shape(std::move(s)), data(std::move(d)) {
  if (numel(shape) != data.size())
    throw Error("tensor of shape " + shape_string(shape) + " given " + std::to_string(data.size()) +
                " values");
}

std::size_t normalize_axis(int axis, std::size_t rank, const std::string& where) {
  const int r = static_cast<int>(rank);
  const int a = axis < 0 ? axis + r : axis;
  if (rank == 0 || a < 0 || a >= r)
    throw Error(at(where, "axis " + std::to_string(axis) +
                              " is out of range for a tensor of rank " + std::to_string(rank)));
  return static_cast<std::size_t>(a);
}

AxisLayout axis_layout(const Shape& shape, int axis, const std::string& where) {
  AxisLayout l;
  if (shape.empty()) return l;  // a scalar is one lane of length 1
  const std::size_t a = normalize_axis(axis, shape.size(), where);
  for (std::size_t i = 0; i < a; ++i) l.outer *= shape[i];
  l.len = shape[a];
  for (std::size_t i = a + 1; i < shape.size(); ++i) l.inner *= shape[i];
  return l;
}

}  // namespace interplay
