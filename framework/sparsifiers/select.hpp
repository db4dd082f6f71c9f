#pragma once
// Exact "prune the p smallest" selection shared by the sparsifiers.
//
// Every candidate has an unsigned key (a magnitude, a block norm, a random
// hash) and an index. The prune order is (key ascending, index DESCENDING):
// among equal keys the HIGHER index is pruned first, i.e. ties keep the lower
// index. Because (key, index) pairs are distinct, the p-th element of that
// order is unique, so the pruned set is exactly p elements and does not depend
// on thread count or on the order candidates were visited in.
//
// The search is O(n): a histogram of the key's top bits finds the bucket that
// holds the p-th element, then nth_element runs on that bucket only.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <utility>
#include <vector>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "core/error.hpp"

namespace interplay::sparsity {

// |x| as an order-preserving key: the float's bits without the sign, so
// -0 == +0 and Inf is above every finite value. Every NaN maps to one key
// just above Inf: NaN counts as the largest magnitude (it is kept first), and
// NaNs tie with each other (lower index kept).
inline std::uint32_t magnitude_key(float x) {
  std::uint32_t b;
  std::memcpy(&b, &x, sizeof b);
  return std::min<std::uint32_t>(b & 0x7fffffffu, 0x7f800001u);
}
constexpr int kMagnitudeKeyBits = 31;

// A non-negative double (a norm) as an order-preserving key; NaN is largest.
inline std::uint64_t norm_key(double v) {
  std::uint64_t b;
  std::memcpy(&b, &v, sizeof b);
  return std::min<std::uint64_t>(b & 0x7fffffffffffffffULL, 0x7ff0000000000001ULL);
}
constexpr int kNormKeyBits = 63;

// Elements pruned from a group of n: floor(n * fraction), computed in double
// exactly as int(n * fraction) would be.
inline std::size_t prune_count(std::size_t n, double fraction) {
  return static_cast<std::size_t>(std::floor(double(n) * fraction));
}

// The boundary of the pruned set: (key, index) of the last pruned element.
// Everything before it in prune order is pruned too.
template <class Key>
struct Cut {
  Key key;
  std::uint64_t index;

  // Bitwise, not short-circuit: the outcome is data-dependent, a branch would mispredict.
  bool keeps(Key k, std::uint64_t i) const { return (k > key) | ((k == key) & (i < index)); }
  static Cut keep_all() { return {Key(0), std::numeric_limits<std::uint64_t>::max()}; }
  static Cut prune_all() { return {std::numeric_limits<Key>::max(), 0}; }
};

namespace detail {

template <class Key>
using Candidate = std::pair<Key, std::uint64_t>;

// True when a is pruned before b.
template <class Key>
inline bool prunes_first(const Candidate<Key>& a, const Candidate<Key>& b) {
  return a.first < b.first || (a.first == b.first && a.second > b.second);
}

template <class Key>
Cut<Key> nth_candidate(std::vector<Candidate<Key>>& c, std::size_t r) {
  std::nth_element(c.begin(), c.begin() + std::ptrdiff_t(r), c.end(), prunes_first<Key>);
  return {c[r].first, c[r].second};
}

// Appends the candidates in [begin, end) with lo <= key < lo + width (one
// histogram bucket). The bucket is rare, so a vectorisable any-match test
// skips most spans whole.
template <class Key, class KeyAt>
void collect_bucket(std::size_t begin, std::size_t end, Key lo, Key width, const KeyAt& key_at,
                    std::vector<Candidate<Key>>& out) {
  unsigned any = 0;
  for (std::size_t i = begin; i < end; ++i) any |= unsigned(Key(key_at(i) - lo) < width);
  if (!any) return;
  for (std::size_t i = begin; i < end; ++i) {
    const Key k = key_at(i);
    if (Key(k - lo) < width) out.emplace_back(k, i);
  }
}

inline int thread_count(bool parallel) {
#ifdef _OPENMP
  return parallel ? omp_get_max_threads() : 1;
#else
  (void)parallel;
  return 1;
#endif
}

// fn(thread, begin, end) over [0, n) split into one contiguous chunk per
// thread; a single thread runs inline, without entering an OpenMP region.
template <class Fn>
void for_thread_chunks(int threads, std::size_t n, Fn&& fn) {
  if (threads == 1) return fn(0, std::size_t(0), n);
#pragma omp parallel num_threads(threads)
  {
#ifdef _OPENMP
    const std::size_t t = std::size_t(omp_get_thread_num()),
                      nt = std::size_t(omp_get_num_threads());
#else
    const std::size_t t = 0, nt = 1;
#endif
    fn(int(t), n * t / nt, n * (t + 1) / nt);
  }
}

}  // namespace detail

// Cut after the p smallest of n candidates; key_at(i) gives the key of
// candidate i and only its low `key_bits` bits may be set. `parallel` spreads
// the passes over OpenMP threads (for one big group; off inside rows).
template <class Key, class KeyAt>
Cut<Key> cut_after_smallest(std::size_t n, std::size_t p, int key_bits, bool parallel,
                            KeyAt key_at) {
  using C = detail::Candidate<Key>;
  if (p == 0) return Cut<Key>::keep_all();
  if (p >= n) return Cut<Key>::prune_all();
  thread_local std::vector<C> cand;
  cand.clear();
  if (n <= 512) {  // small group: the histogram would cost more than it saves
    for (std::size_t i = 0; i < n; ++i) cand.emplace_back(key_at(i), i);
    return detail::nth_candidate(cand, p - 1);
  }
  if (n > std::numeric_limits<std::uint32_t>::max())
    throw Error("sparsifier: groups of more than 2^32 elements are not supported");
  const int threads = detail::thread_count(parallel && n > (1u << 16));

  // Buckets are (key - lo) >> shift. A big group uses the top key bits; a
  // smaller one (a row) first measures its key range so that its fewer
  // buckets spread over the values actually present.
  int bits = 16, shift = key_bits - bits;
  Key lo = 0;
  if (n < (1u << 18)) {
    Key kmin = std::numeric_limits<Key>::max(), kmax = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const Key k = key_at(i);
      kmin = std::min(kmin, k);
      kmax = std::max(kmax, k);
    }
    if (kmin == kmax) return {kmin, n - p};  // all tied: the highest indices go
    bits = n < 4096 ? 8 : 10;
    shift = 0;
    while (Key(kmax - kmin) >> shift >= (Key(1) << bits)) ++shift;
    lo = kmin;
  }
  const std::size_t bins = std::size_t(1) << bits;

  // Pass 1: histogram (per thread, then summed: exact).
  thread_local std::vector<std::uint32_t> hist;
  hist.assign(bins * std::size_t(threads), 0);
  std::uint32_t* const hist_base = hist.data();
  detail::for_thread_chunks(threads, n, [&](int t, std::size_t begin, std::size_t end) {
    std::uint32_t* h = hist_base + bins * std::size_t(t);
    for (std::size_t i = begin; i < end; ++i) ++h[std::size_t(Key(key_at(i) - lo) >> shift)];
  });
  for (int t = 1; t < threads; ++t)
    for (std::size_t b = 0; b < bins; ++b) hist[b] += hist[std::size_t(t) * bins + b];

  // The bucket holding the p-th element and its rank inside the bucket.
  std::size_t bucket = 0, before = 0;
  while (before + hist[bucket] < p) before += hist[bucket++];
  const std::size_t rank = p - 1 - before;

  // Pass 2: collect that bucket's candidates (their order does not matter).
  cand.reserve(hist[bucket]);
  const Key bucket_lo = Key(lo + (Key(bucket) << shift)), width = Key(Key(1) << shift);
  std::vector<std::vector<C>> parts(static_cast<std::size_t>(threads - 1));
  detail::for_thread_chunks(threads, n, [&](int t, std::size_t begin, std::size_t end) {
    constexpr std::size_t kSpan = 64;
    auto& mine = t == 0 ? cand : parts[std::size_t(t - 1)];
    for (std::size_t b = begin; b < end; b += kSpan)
      detail::collect_bucket(b, std::min(end, b + kSpan), bucket_lo, width, key_at, mine);
  });
  for (auto& part : parts) cand.insert(cand.end(), part.begin(), part.end());
  return detail::nth_candidate(cand, rank);
}

}  // namespace interplay::sparsity
