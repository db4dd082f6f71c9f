#include "quantizers/blocks.hpp"

namespace interplay {

ParamSpec axis_param(const std::string& what) {
  return ParamSpec::integer("axis", -1, -64, 63,
                            what + " run along this axis (negative counts from the last)");
}

std::size_t block_count(const Shape& shape, const BlockLayout& layout) {
  const std::size_t n = numel(shape);
  if (n == 0) return 0;
  if (layout.whole_tensor) return 1;
  const AxisLayout L = axis_layout(shape, layout.axis);
  const std::size_t bs = layout.size == 0 ? L.len : std::min(layout.size, L.len);
  return L.outer * L.inner * ((L.len + bs - 1) / bs);
}

double amortised_bits(const Shape& shape, const BlockLayout& layout, double element_bits,
                      double scale_bits, double tensor_bits) {
  const std::size_t n = numel(shape);
  if (n == 0) return element_bits;
  return element_bits + (scale_bits * double(block_count(shape, layout)) + tensor_bits) / double(n);
}

namespace detail {

void gather_lanes(const float* src, float* dst, std::size_t len, std::size_t inner,
                  std::size_t width, std::size_t ld) {
  if (ld == 0) ld = len;
  for (std::size_t k = 0; k < len; ++k)
    for (std::size_t t = 0; t < width; ++t) dst[t * ld + k] = src[k * inner + t];
}

void scatter_lanes(const float* src, float* dst, std::size_t len, std::size_t inner,
                   std::size_t width, std::size_t ld) {
  if (ld == 0) ld = len;
  for (std::size_t k = 0; k < len; ++k)
    for (std::size_t t = 0; t < width; ++t) dst[k * inner + t] = src[t * ld + k];
}

}  // namespace detail
}  // namespace interplay
