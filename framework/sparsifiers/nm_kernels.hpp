#pragma once
// N:M group kernels. An element's rank is the number of group members that
// beat it: a larger |x| key, or an equal key at a lower index. It is kept
// when rank < n. Each kernel hands its decisions to a sink (sinks.hpp); `x`
// and the sink start at the first group.
#include <array>
#include <cstdint>

#include "sparsifiers/select.hpp"
#include "sparsifiers/sinks.hpp"

namespace interplay::sparsity {

// Any group size (also a ragged tail): exact selection of the n largest.
template <class Sink>
void nm_any_group(const float* x, std::size_t size, std::size_t n, const Sink& sink) {
  const auto cut =
      cut_after_smallest<std::uint32_t>(size, size - std::min(n, size), kMagnitudeKeyBits, false,
                                        [x](std::size_t i) { return magnitude_key(x[i]); });
  for (std::size_t i = 0; i < size; ++i) sink.put(i, cut.keeps(magnitude_key(x[i]), i), x[i]);
}

// Scalar, one group at a time (the M = 4 kernel's tail and NaN fallback):
// every pair (j < l) decides one win; l beats j only with a strictly larger
// key (on a tie the lower index j wins).
template <std::size_t M, class Sink>
void nm_fixed(const float* x, std::size_t groups, std::size_t n, const Sink& sink) {
  for (std::size_t g = 0; g < groups; ++g) {
    const float* v = x + g * M;
    std::array<std::uint32_t, M> key;
    std::array<std::size_t, M> rank{};
    for (std::size_t j = 0; j < M; ++j) key[j] = magnitude_key(v[j]);
    for (std::size_t j = 0; j < M; ++j)
      for (std::size_t l = j + 1; l < M; ++l) {
        const std::size_t l_wins = key[l] > key[j];
        rank[j] += l_wins;
        rank[l] += 1 - l_wins;
      }
    for (std::size_t j = 0; j < M; ++j) sink.put(g * M + j, rank[j] < n, v[j]);
  }
}

// M = 4, the common case (2:4, 1:4, 3:4): four groups at a time, transposed
// so each SSE2 lane holds one group; six compares give all pairwise wins.
// Keys need no NaN canonicalisation here: a block holding a NaN is handed to
// the scalar kernel, which does it.
template <class Sink>
void nm_m4(const float* x, std::size_t groups, std::size_t n, const Sink& sink) {
  std::size_t g = 0;
#ifdef __SSE2__
  const __m128i abs_mask = _mm_set1_epi32(0x7fffffff), inf = _mm_set1_epi32(0x7f800000);
  // With -1/0 win masks m_jl (l beats j): rank_j = j + sum_{i<j} m_ij - sum_{l>j} m_jl,
  // and rank_j < n  <=>  n - j > sum_{i<j} m_ij - sum_{l>j} m_jl.
  const int ni = int(n);
  const __m128i bound[4] = {_mm_set1_epi32(ni), _mm_set1_epi32(ni - 1), _mm_set1_epi32(ni - 2),
                            _mm_set1_epi32(ni - 3)};
  for (; g + 4 <= groups; g += 4) {
    const float* v = x + 4 * g;
    __m128 xs[4];
    __m128i k[4];
    __m128i nan = _mm_setzero_si128();
    for (int j = 0; j < 4; ++j) {
      xs[j] = _mm_loadu_ps(v + 4 * j);
      k[j] = _mm_and_si128(_mm_castps_si128(xs[j]), abs_mask);
      nan = _mm_or_si128(nan, _mm_cmpgt_epi32(k[j], inf));
    }
    if (_mm_movemask_epi8(nan)) {
      nm_fixed<4>(v, 4, n, sink.shifted(4 * g));
      continue;
    }
    // Transpose: a[j] holds element j of the four groups.
    const __m128i u0 = _mm_unpacklo_epi32(k[0], k[1]), u1 = _mm_unpackhi_epi32(k[0], k[1]);
    const __m128i u2 = _mm_unpacklo_epi32(k[2], k[3]), u3 = _mm_unpackhi_epi32(k[2], k[3]);
    const __m128i a0 = _mm_unpacklo_epi64(u0, u2), a1 = _mm_unpackhi_epi64(u0, u2);
    const __m128i a2 = _mm_unpacklo_epi64(u1, u3), a3 = _mm_unpackhi_epi64(u1, u3);
    const __m128i m01 = _mm_cmpgt_epi32(a1, a0), m02 = _mm_cmpgt_epi32(a2, a0);
    const __m128i m03 = _mm_cmpgt_epi32(a3, a0), m12 = _mm_cmpgt_epi32(a2, a1);
    const __m128i m13 = _mm_cmpgt_epi32(a3, a1), m23 = _mm_cmpgt_epi32(a3, a2);
    const __m128i zero = _mm_setzero_si128();
    const __m128i s0 = _mm_sub_epi32(_mm_sub_epi32(_mm_sub_epi32(zero, m01), m02), m03);
    const __m128i s1 = _mm_sub_epi32(_mm_sub_epi32(m01, m12), m13);
    const __m128i s2 = _mm_sub_epi32(_mm_add_epi32(m02, m12), m23);
    const __m128i s3 = _mm_add_epi32(_mm_add_epi32(m03, m13), m23);
    const __m128i c0 = _mm_cmpgt_epi32(bound[0], s0), c1 = _mm_cmpgt_epi32(bound[1], s1);
    const __m128i c2 = _mm_cmpgt_epi32(bound[2], s2), c3 = _mm_cmpgt_epi32(bound[3], s3);
    // Transpose back: keep[g] holds the four decisions of group g.
    const __m128i w0 = _mm_unpacklo_epi32(c0, c1), w1 = _mm_unpackhi_epi32(c0, c1);
    const __m128i w2 = _mm_unpacklo_epi32(c2, c3), w3 = _mm_unpackhi_epi32(c2, c3);
    const __m128i keep[4] = {_mm_unpacklo_epi64(w0, w2), _mm_unpackhi_epi64(w0, w2),
                             _mm_unpacklo_epi64(w1, w3), _mm_unpackhi_epi64(w1, w3)};
    sink.put16(4 * g, xs, keep);
  }
#endif
  nm_fixed<4>(x + 4 * g, groups - g, n, sink.shifted(4 * g));
}

// Many groups at once, in structure-of-arrays form: element j of group c
// sits at x[j * row_stride + c * col_stride]. Along a strided axis the groups
// are columns (col_stride 1); along the last axis they are consecutive runs
// (row_stride 1, col_stride m). Wins are accumulated pair by pair of rows,
// vectorised across groups. rows < m is a ragged tail: every rank is then
// below rows, so min(n, rows) are kept without special casing.
constexpr std::size_t kMaxRowsM = 32;
template <class Sink>
void nm_soa(const float* x, std::size_t rows, std::size_t row_stride, std::size_t groups,
            std::size_t col_stride, std::size_t n, const Sink& sink) {
  constexpr std::size_t kCols = 64;
  std::uint32_t key[kMaxRowsM][kCols], rank[kMaxRowsM][kCols];
  const std::uint32_t keep_below = std::uint32_t(std::min(n, rows));
  for (std::size_t c0 = 0; c0 < groups; c0 += kCols) {
    const std::size_t w = std::min(kCols, groups - c0);
    const float* base = x + c0 * col_stride;
    for (std::size_t j = 0; j < rows; ++j)
      for (std::size_t c = 0; c < w; ++c) {
        key[j][c] = magnitude_key(base[j * row_stride + c * col_stride]);
        rank[j][c] = 0;
      }
    for (std::size_t j = 0; j < rows; ++j)
      for (std::size_t l = j + 1; l < rows; ++l)
        for (std::size_t c = 0; c < w; ++c) {
          const std::uint32_t l_wins = key[l][c] > key[j][c];
          rank[j][c] += l_wins;
          rank[l][c] += 1u - l_wins;
        }
    const Sink out = sink.shifted(c0 * col_stride);
    for (std::size_t j = 0; j < rows; ++j)
      for (std::size_t c = 0; c < w; ++c) {
        const std::size_t i = j * row_stride + c * col_stride;
        out.put(i, rank[j][c] < keep_below, base[i]);
      }
  }
}

// A contiguous run of whole groups of m followed by an optional ragged tail
// of r < m elements, which keeps min(n, r) (as if padded with zeros).
template <class Sink>
void nm_lane(const float* x, std::size_t len, std::size_t n, std::size_t m, const Sink& sink) {
  const std::size_t groups = len / m, full = groups * m;
  if (m == 4) {
    nm_m4(x, groups, n, sink);
  } else if (m <= kMaxRowsM) {
    nm_soa(x, m, 1, groups, m, n, sink);
  } else {
    for (std::size_t g = 0; g < groups; ++g) nm_any_group(x + g * m, m, n, sink.shifted(g * m));
  }
  if (full < len) nm_any_group(x + full, len - full, n, sink.shifted(full));
}

}  // namespace interplay::sparsity
