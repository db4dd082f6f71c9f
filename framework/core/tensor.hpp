#pragma once
// A dense, row-major float32 tensor. The hot loops work on its contiguous
// storage directly; xtensor views (xt::adapt) are used where linear algebra
// is needed, so the numeric kernels stay free of expression templates.
#include <cstddef>
#include <string>
#include <vector>

namespace interplay {

using Shape = std::vector<std::size_t>;

// Throws Error when the element count overflows size_t.
std::size_t numel(const Shape& shape);
std::string shape_string(const Shape& shape);

struct Tensor {
  Shape shape;
  std::vector<float> data;

  Tensor() = default;
  explicit Tensor(Shape s, float fill = 0.0f) : shape(std::move(s)), data(numel(shape), fill) {}
  Tensor(Shape s, std::vector<float> d);

  std::size_t size() const { return data.size(); }
  std::size_t rank() const { return shape.size(); }
};

// A tensor seen as `outer` slices, each `len` long along the chosen axis and
// `inner` wide: element (o, k, i) lives at o*len*inner + k*inner + i.
// Blocks and groups always run along the axis (`inner == 1` means contiguous).
struct AxisLayout {
  std::size_t outer = 1, len = 1, inner = 1;
};

// Normalises a possibly negative axis; `where` names the parameter in errors.
std::size_t normalize_axis(int axis, std::size_t rank, const std::string& where = "axis");
AxisLayout axis_layout(const Shape& shape, int axis, const std::string& where = "axis");

}  // namespace interplay
