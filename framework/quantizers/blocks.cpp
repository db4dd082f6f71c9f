#include "quantizers/blocks.hpp"

#ifdef __SSE__
#include <xmmintrin.h>
#endif

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
namespace {

// dst[c * ldd + r] = src[r * lds + c] for r < rows, c < cols: a transpose.
// Whole 4 x 4 tiles go through SSE registers (four loads, eight shuffles,
// four stores instead of sixteen scalar moves, each a strided access on one
// side); the ragged edges are copied one by one. Bits are only moved.
void transpose(const float* src, std::size_t lds, float* dst, std::size_t ldd, std::size_t rows,
               std::size_t cols) {
  std::size_t r4 = 0, c4 = 0;
#ifdef __SSE__
  r4 = rows & ~std::size_t(3), c4 = cols & ~std::size_t(3);
  for (std::size_t r = 0; r < r4; r += 4)
    for (std::size_t c = 0; c < c4; c += 4) {
      const float* s = src + r * lds + c;
      __m128 a = _mm_loadu_ps(s), b = _mm_loadu_ps(s + lds), e = _mm_loadu_ps(s + 2 * lds),
             f = _mm_loadu_ps(s + 3 * lds);
      _MM_TRANSPOSE4_PS(a, b, e, f);
      float* d = dst + c * ldd + r;
      _mm_storeu_ps(d, a), _mm_storeu_ps(d + ldd, b), _mm_storeu_ps(d + 2 * ldd, e),
          _mm_storeu_ps(d + 3 * ldd, f);
    }
#endif
  for (std::size_t r = 0; r < rows; ++r)
    for (std::size_t c = r < r4 ? c4 : 0; c < cols; ++c) dst[c * ldd + r] = src[r * lds + c];
}

}  // namespace

void gather_lanes(const float* src, float* dst, std::size_t len, std::size_t inner,
                  std::size_t width, std::size_t ld) {
  transpose(src, inner, dst, ld == 0 ? len : ld, len, width);
}

void scatter_lanes(const float* src, float* dst, std::size_t len, std::size_t inner,
                   std::size_t width, std::size_t ld) {
  transpose(src, ld == 0 ? len : ld, dst, inner, width, len);
}

}  // namespace detail
}  // namespace interplay
