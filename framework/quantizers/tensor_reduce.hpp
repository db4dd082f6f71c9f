#pragma once
// Whole-tensor amax and range (a per-tensor scale needs them before any
// element is rounded), split across OpenMP threads: a maximum or minimum is
// exact in any order, so the result is the same for any thread count.
#include <algorithm>
#include <cstdint>

#include "formats/bits.hpp"

namespace interplay {

namespace detail {
constexpr std::size_t kReduceChunk = std::size_t(1) << 16;
}

// span_amax of x[0, n).
inline SpanAmax parallel_span_amax(const float* x, std::size_t n) {
  const std::int64_t chunks = std::int64_t((n + detail::kReduceChunk - 1) / detail::kReduceChunk);
  std::uint32_t m = 0;  // the largest |x| encoding (amax_bits)
#pragma omp parallel for schedule(static) reduction(max : m) if (chunks > 1)
  for (std::int64_t c = 0; c < chunks; ++c) {
    const std::size_t lo = std::size_t(c) * detail::kReduceChunk;
    const std::uint32_t b = amax_bits(x + lo, std::min(detail::kReduceChunk, n - lo));
    m = b > m ? b : m;
  }
  return {bits_float(m), m >= 0x7f800000u};
}

// span_range of x[0, n) (its integer keys order NaN beyond +-Inf, so a
// non-finite end means a NaN or Inf in x).
inline SpanRange parallel_span_range(const float* x, std::size_t n) {
  const std::int64_t chunks = std::int64_t((n + detail::kReduceChunk - 1) / detail::kReduceChunk);
  std::int32_t lo = RangeKeys{}.lo, hi = RangeKeys{}.hi;
#pragma omp parallel for schedule(static) reduction(min : lo) reduction(max : hi) if (chunks > 1)
  for (std::int64_t c = 0; c < chunks; ++c) {
    const std::size_t at = std::size_t(c) * detail::kReduceChunk;
    const RangeKeys k = span_range_keys(x + at, std::min(detail::kReduceChunk, n - at));
    lo = std::min(lo, k.lo);
    hi = std::max(hi, k.hi);
  }
  return {key_float(lo), key_float(hi)};
}

}  // namespace interplay
