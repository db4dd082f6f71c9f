#pragma once
// The amaxes of 16 consecutive blocks in one vector. Reducing each block's
// vector to a scalar on its own costs a chain of extracts and maxes per
// block (about ten instructions, as many as rounding half the block); folding
// the 16 blocks' vectors into each other halves every block's lanes at each
// of four levels, 45 instructions for all 16.
#include <cstddef>
#include <cstdint>
#ifdef __AVX512F__
#include <immintrin.h>
#endif

namespace interplay::detail {

#ifdef __AVX512F__
#pragma GCC diagnostic push
// GCC 12 warns about the undefined vectors inside its own intrinsics.
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
// Lane k: the largest |x| bit pattern (sign cleared, so NaN and Inf come
// out at or above 0x7f800000) of the block x[k * B, (k + 1) * B).
template <std::size_t B>
inline __m512i amax_of_16_blocks(const float* x) {
  static_assert(B % 16 == 0, "whole vectors");
  const __m512i abs = _mm512_set1_epi32(0x7fffffff);
  __m512i m[16];
  for (std::size_t k = 0; k < 16; ++k) {
    __m512i a = _mm512_and_si512(_mm512_loadu_si512(x + k * B), abs);
    for (std::size_t j = 16; j < B; j += 16)
      a = _mm512_max_epu32(a, _mm512_and_si512(_mm512_loadu_si512(x + k * B + j), abs));
    m[k] = a;
  }
  // Level L takes pairs of vectors that hold 2^(L-1) blocks of 16 / 2^(L-1)
  // partial maxima each (in block order) and gives 2^L blocks of half as
  // many: lanes `lo` of the pair against lanes `lo + half`.
  const auto fold = [](__m512i a, __m512i b, __m512i lo, int half) {
    const __m512i hi = _mm512_add_epi32(lo, _mm512_set1_epi32(half));
    return _mm512_max_epu32(_mm512_permutex2var_epi32(a, lo, b),
                            _mm512_permutex2var_epi32(a, hi, b));
  };
  const __m512i lo1 = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23);
  const __m512i lo2 = _mm512_setr_epi32(0, 1, 2, 3, 8, 9, 10, 11, 16, 17, 18, 19, 24, 25, 26, 27);
  const __m512i lo3 = _mm512_setr_epi32(0, 1, 4, 5, 8, 9, 12, 13, 16, 17, 20, 21, 24, 25, 28, 29);
  const __m512i lo4 = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
  for (std::size_t j = 0; j < 8; ++j) m[j] = fold(m[2 * j], m[2 * j + 1], lo1, 8);
  for (std::size_t j = 0; j < 4; ++j) m[j] = fold(m[2 * j], m[2 * j + 1], lo2, 4);
  for (std::size_t j = 0; j < 2; ++j) m[j] = fold(m[2 * j], m[2 * j + 1], lo3, 2);
  return fold(m[0], m[1], lo4, 1);
}
#pragma GCC diagnostic pop
#endif

}  // namespace interplay::detail
