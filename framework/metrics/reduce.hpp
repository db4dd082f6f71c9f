#pragma once
// Deterministic reductions shared by every metric. An index range is cut into
// FIXED chunks of kReduceChunk indices; each chunk is reduced sequentially in
// double, chunks run in parallel (OpenMP) into a per-chunk partial array, and
// the partials are folded in chunk order. The chunking never depends on the
// thread count, so neither does any bit of the result.
//
// NaN awareness comes for free in sums (NaN + anything = NaN); max_of folds
// NaN explicitly, since std::max would silently drop it.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

namespace interplay {

inline constexpr std::size_t kReduceChunk = 4096;

// Folds chunk(begin, end, acc) over fixed chunks of [0, n): every chunk starts
// from `init`, and the partials are combined in chunk order.
template <class Acc, class ChunkFn, class Combine>
Acc chunked_reduce(std::size_t n, const Acc& init, ChunkFn&& chunk, Combine&& combine) {
  const std::size_t chunks = (n + kReduceChunk - 1) / kReduceChunk;
  std::vector<Acc> partial(chunks, init);
  const std::int64_t count = static_cast<std::int64_t>(chunks);
#pragma omp parallel for schedule(static) if (chunks > 2)
  for (std::int64_t c = 0; c < count; ++c) {
    const std::size_t begin = static_cast<std::size_t>(c) * kReduceChunk;
    chunk(begin, std::min(n, begin + kReduceChunk), partial[static_cast<std::size_t>(c)]);
  }
  Acc total = init;
  for (const Acc& p : partial) total = combine(total, p);
  return total;
}

namespace detail {
inline void add_into(double& a, double b) {
  a += b;
}
template <std::size_t K>
void add_into(std::array<double, K>& a, const std::array<double, K>& b) {
  for (std::size_t k = 0; k < K; ++k) a[k] += b[k];
}
}  // namespace detail

// Sum of term(i) over [0, n). Acc is double or std::array<double, K> (K sums
// in one pass). Inside a chunk four interleaved lanes (i mod 4) break the
// add-latency chain; the lane order is fixed, so this stays deterministic.
template <class Acc = double, class Term>
Acc chunked_sum(std::size_t n, Term&& term) {
  const Acc zero{};
  auto chunk = [&](std::size_t begin, std::size_t end, Acc& acc) {
    Acc lane[4] = {zero, zero, zero, zero};
    std::size_t i = begin;
    for (; i + 4 <= end; i += 4)
      for (std::size_t l = 0; l < 4; ++l) detail::add_into(lane[l], term(i + l));
    for (; i < end; ++i) detail::add_into(lane[(i - begin) & 3], term(i));
    detail::add_into(lane[0], lane[1]);
    detail::add_into(lane[2], lane[3]);
    detail::add_into(lane[0], lane[2]);
    acc = lane[0];
  };
  auto plus = [](Acc a, const Acc& b) {
    detail::add_into(a, b);
    return a;
  };
  return chunked_reduce(n, zero, chunk, plus);
}

// max(a, b) that returns NaN if either is NaN.
inline double nan_max(double a, double b) {
  if (std::isnan(a) || std::isnan(b)) return std::numeric_limits<double>::quiet_NaN();
  return a < b ? b : a;
}

// Largest term(i) over [0, n), NaN if any term is NaN. `identity` must be <=
// every term (e.g. 0 for magnitudes); it is also the result for n = 0.
template <class Term>
double chunked_max(std::size_t n, double identity, Term&& term) {
  auto chunk = [&](std::size_t begin, std::size_t end, double& acc) {
    for (std::size_t i = begin; i < end; ++i) acc = nan_max(acc, term(i));
  };
  return chunked_reduce(n, identity, chunk, nan_max);
}

}  // namespace interplay
