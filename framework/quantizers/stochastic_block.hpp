#pragma once
// One block of stochastic rounding under a plan of the exponent-keyed table
// (quantizers/keyed_plans.hpp), with each element's draw hashed in the same
// loop. The AVX-512 version is StochasticGrid::round and stochastic_draw
// step for step, so the bits are the same; it exists because the compiler's
// vectorisation of the portable loop spent about four instructions per
// element: it keeps the 2^23 floor trick (four instructions where
// vrndscaleps is one), converts every draw to float and scales it, and
// reloads constants per block.
#include <cstddef>
#include <cstdint>
#ifdef __AVX512DQ__
#include <immintrin.h>
#endif

#include "core/rng.hpp"
#include "formats/grid.hpp"
#include "quantizers/keyed_plans.hpp"

namespace interplay::detail {

#pragma GCC diagnostic push
// GCC 12 warns about the undefined vectors inside its own intrinsics.
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

// yb[i] = the stochastic rounding of xb[i] * p.inv onto p's grid, times
// p.scale, with the draw of flat index at + i (i < B). p is plain, so the
// scaled values are finite. In place too: each vector is loaded before its
// results are stored.
template <std::size_t B>
inline void round_stochastic_block(const float* xb, float* yb, std::uint64_t key, std::uint64_t at,
                                   const KeyedPlan& p) {
#ifdef __AVX512DQ__
  static_assert(B % 16 == 0, "whole vectors");
  const __m512 inv = _mm512_set1_ps(p.inv), scale = _mm512_set1_ps(p.scale);
  const __m512 neg_bound = _mm512_set1_ps(p.grid.neg_bound);
  const __m512 pos_bound = _mm512_set1_ps(p.grid.pos_bound);
  const __m512 max = _mm512_set1_ps(p.grid.max), over = _mm512_set1_ps(p.grid.overflow_value);
  // Biased exponents: the quantum's is max(field, emin + 127) - mbits.
  const __m512i emin = _mm512_set1_epi32(p.grid.emin + 127);
  const __m512i mbits = _mm512_set1_epi32(p.grid.mbits);
  const __m512i abs_mask = _mm512_set1_epi32(0x7fffffff), two_bias = _mm512_set1_epi32(254);
  const __m512 one = _mm512_set1_ps(1.0f), draw_unit = _mm512_set1_ps(0x1p-24f);
  // The even 32-bit halves of two vectors of 64-bit lanes: draws 0..15.
  const __m512i evens = _mm512_set_epi32(30, 28, 26, 24, 22, 20, 18, 16, 14, 12, 10, 8, 6, 4, 2, 0);
  __m512i z_lo = _mm512_add_epi64(_mm512_set1_epi64(std::int64_t(key + at)),
                                  _mm512_set_epi64(7, 6, 5, 4, 3, 2, 1, 0));
  __m512i z_hi = _mm512_add_epi64(z_lo, _mm512_set1_epi64(8));
  const __m512i step = _mm512_set1_epi64(16);
  for (std::size_t i = 0; i < B; i += 16) {
    // stochastic_draw: the top 24 bits of mix64_high(key + index).
    const __m512i draw24 =
        _mm512_permutex2var_epi32(_mm512_srli_epi64(mix64_high_x8(z_lo), 40), evens,
                                  _mm512_srli_epi64(mix64_high_x8(z_hi), 40));
    z_lo = _mm512_add_epi64(z_lo, step), z_hi = _mm512_add_epi64(z_hi, step);
    const __m512 u = _mm512_mul_ps(_mm512_cvtepi32_ps(draw24), draw_unit);

    const __m512 v = _mm512_mul_ps(_mm512_loadu_ps(xb + i), inv);
    const __mmask16 negative = _mm512_movepi32_mask(_mm512_castps_si512(v));
    const __m512i sign = _mm512_andnot_si512(abs_mask, _mm512_castps_si512(v));
    __m512 a = _mm512_castsi512_ps(_mm512_and_si512(_mm512_castps_si512(v), abs_mask));
    a = _mm512_min_ps(a, _mm512_mask_blend_ps(negative, pos_bound, neg_bound));
    const __m512i field = _mm512_srli_epi32(_mm512_castps_si512(a), 23);
    const __m512i qexp = _mm512_sub_epi32(_mm512_max_epi32(field, emin), mbits);
    const __m512 q = _mm512_castsi512_ps(_mm512_slli_epi32(qexp, 23));
    const __m512 q_inv =
        _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_sub_epi32(two_bias, qexp), 23));
    const __m512 y = _mm512_mul_ps(a, q_inv);
    __m512 f = _mm512_roundscale_ps(y, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC);
    f = _mm512_mask_add_ps(f, _mm512_cmp_ps_mask(u, _mm512_sub_ps(y, f), _CMP_LT_OQ), f, one);
    __m512 r = _mm512_mul_ps(f, q);
    r = _mm512_mask_mov_ps(r, _mm512_cmp_ps_mask(r, max, _CMP_GT_OQ), over);
    r = _mm512_castsi512_ps(_mm512_or_si512(_mm512_castps_si512(r), sign));
    _mm512_storeu_ps(yb + i, _mm512_mul_ps(r, scale));
  }
#else
  const float nbd = p.grid.neg_bound, pbd = p.grid.pos_bound, mx = p.grid.max;
  const float ov = p.grid.overflow_value, scale = p.scale, inv = p.inv;
  const std::int32_t emin = p.grid.emin, mbits = p.grid.mbits;
  for (std::size_t i = 0; i < B; ++i) {
    const float v = xb[i] * inv, draw = stochastic_draw(key, at + i);
    yb[i] = StochasticGrid::round(v, draw, nbd, pbd, mx, ov, emin, mbits) * scale;
  }
#endif
}

#pragma GCC diagnostic pop

}  // namespace interplay::detail
