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
// The search is an O(n) radix select: a histogram pass finds the bucket of
// keys that holds the p-th element; if that bucket is still large, the next
// pass refines it on lower key bits. A small bucket is finished with
// nth_element; a bucket of one key value (ties, e.g. a tensor of zeros) is
// finished by finding the tie's cut index in a counting pass. Memory stays
// small whatever the data.
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
#include "core/thread_share.hpp"

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

// Appends the candidates in [begin, end) with lo <= key <= lo + span (one
// bucket). The bucket is rare, so a vectorisable any-match test skips most
// spans whole.
template <class Key, class KeyAt>
void collect_bucket(std::size_t begin, std::size_t end, Key lo, Key span, const KeyAt& key_at,
                    std::vector<Candidate<Key>>& out) {
  unsigned any = 0;
  for (std::size_t i = begin; i < end; ++i) any |= unsigned(Key(key_at(i) - lo) <= span);
  if (!any) return;
  for (std::size_t i = begin; i < end; ++i) {
    const Key k = key_at(i);
    if (Key(k - lo) <= span) out.emplace_back(k, i);
  }
}

// Index of the (r+1)-th element (in index order) whose key equals `key`.
template <class Key, class KeyAt>
std::size_t nth_equal_index(std::size_t n, Key key, std::size_t r, const KeyAt& key_at) {
  constexpr std::size_t kSpan = 64;
  for (std::size_t b = 0; b < n; b += kSpan) {
    const std::size_t e = std::min(n, b + kSpan);
    std::size_t count = 0;
    for (std::size_t i = b; i < e; ++i) count += key_at(i) == key;
    if (r >= count) {
      r -= count;
      continue;
    }
    for (std::size_t i = b; i < e; ++i)
      if (key_at(i) == key && r-- == 0) return i;
  }
  return n;  // unreachable when the key occurs more than r times
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
    const auto [lo, hi] = thread_share(n);
#ifdef _OPENMP
    fn(omp_get_thread_num(), lo, hi);
#else
    fn(0, lo, hi);
#endif
  }
}

}  // namespace detail

// Cut after the p smallest of n candidates; key_at(i) gives the key of
// candidate i and only its low `key_bits` bits may be set. `parallel` spreads
// the histogram passes over OpenMP threads (for one big group; off in rows).
template <class Key, class KeyAt>
Cut<Key> cut_after_smallest(std::size_t n, std::size_t p, int key_bits, bool parallel,
                            KeyAt key_at) {
  using C = detail::Candidate<Key>;
  if (p == 0) return Cut<Key>::keep_all();
  if (p >= n) return Cut<Key>::prune_all();
  thread_local std::vector<C> cand;
  cand.clear();
  if (n <= 512) {  // small group: a histogram would cost more than it saves
    for (std::size_t i = 0; i < n; ++i) cand.emplace_back(key_at(i), i);
    return detail::nth_candidate(cand, p - 1);
  }
  if (n > std::numeric_limits<std::uint32_t>::max())
    throw Error("sparsifier: groups of more than 2^32 elements are not supported");
  const int threads = detail::thread_count(parallel && n > (1u << 16));

  // The cut is the rank-th key (0-based, prune order) among the keys in
  // [lo, lo + span]. A big group starts from the whole key range; a smaller
  // one (a row) first measures its keys so its few buckets cover only them.
  Key lo = 0, span = Key(std::numeric_limits<Key>::max() >> (8 * sizeof(Key) - key_bits));
  std::size_t rank = p - 1;
  int bits = 16;
  if (n < (1u << 18)) {
    Key kmin = std::numeric_limits<Key>::max(), kmax = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const Key k = key_at(i);
      kmin = std::min(kmin, k);
      kmax = std::max(kmax, k);
    }
    lo = kmin, span = Key(kmax - kmin);
    // 12 bits for rows of 4096 and more: a smaller bucket to collect pays for
    // the longer bin scan (measured on 4096-element rows: 10 and 14 bits slower).
    bits = n < 4096 ? 8 : 12;
  }
  const std::size_t small_enough = std::max<std::size_t>(1024, n / 32);
  std::size_t count = n;  // keys in [lo, lo + span]
  thread_local std::vector<std::uint32_t> hist;
  for (bool whole = true; span > 0; whole = false) {
    int shift = 0;
    while (Key(span >> shift) >= (Key(1) << bits)) ++shift;
    // One extra bin per thread takes the keys outside the range, so the
    // loop has no data-dependent branch.
    const std::size_t bins = std::size_t(span >> shift) + 1, stride = bins + 1;
    hist.assign(stride * std::size_t(threads), 0);
    std::uint32_t* const hist_base = hist.data();
    detail::for_thread_chunks(threads, n, [&](int t, std::size_t begin, std::size_t end) {
      std::uint32_t* h = hist_base + stride * std::size_t(t);
      // Bin indices are computed a chunk at a time into a small buffer: that
      // loop vectorises (a hash, a magnitude's bits), the increments cannot.
      constexpr std::size_t kChunk = 256;
      std::uint32_t bin[kChunk];
      for (std::size_t b = begin; b < end; b += kChunk) {
        const std::size_t m = std::min(kChunk, end - b);
        if (whole) {  // every key is in range
          for (std::size_t i = 0; i < m; ++i)
            bin[i] = std::uint32_t(Key(key_at(b + i) - lo) >> shift);
        } else {
          for (std::size_t i = 0; i < m; ++i) {
            const Key d = Key(key_at(b + i) - lo);
            const std::uint32_t in = d <= span;  // masks, not ?: (compilers emit a branch)
            bin[i] = (std::uint32_t(d >> shift) & (0 - in)) | (std::uint32_t(bins) & (in - 1));
          }
        }
        for (std::size_t i = 0; i < m; ++i) ++h[bin[i]];
      }
    });
    for (int t = 1; t < threads; ++t)
      for (std::size_t b = 0; b < bins; ++b) hist[b] += hist[std::size_t(t) * stride + b];
    // The bucket holding the rank-th key: whole runs of 64 bins are skipped
    // while their total (a vectorised sum) does not exceed the rank, which
    // passes exactly the bins the bin-by-bin step would.
    std::size_t bucket = 0;
    for (; bucket + 64 <= bins; bucket += 64) {
      std::size_t run = 0;
      for (std::size_t b = bucket; b < bucket + 64; ++b) run += hist[b];
      if (run > rank) break;
      rank -= run;
    }
    while (hist[bucket] <= rank) rank -= hist[bucket++];
    count = hist[bucket];
    lo = Key(lo + (Key(bucket) << shift));
    span = shift == 0 ? Key(0)
                      : std::min(Key(span - (Key(bucket) << shift)), Key((Key(1) << shift) - 1));
    if (count <= small_enough) {
      // Collect the bucket's candidates (their order does not matter).
      cand.reserve(count);
      std::vector<C>& first = cand;  // a reference: worker threads have their own `cand`
      std::vector<std::vector<C>> parts(static_cast<std::size_t>(threads - 1));
      detail::for_thread_chunks(threads, n, [&](int t, std::size_t begin, std::size_t end) {
        constexpr std::size_t kSpan = 64;
        // Other threads collect into a vector of their own and hand it over
        // at the end (appending to parts[t - 1] in place would write a cache
        // line of vector headers that other threads write too).
        std::vector<C> own;
        auto& mine = t == 0 ? first : own;
        for (std::size_t b = begin; b < end; b += kSpan)
          detail::collect_bucket(b, std::min(end, b + kSpan), lo, span, key_at, mine);
        if (t > 0) parts[std::size_t(t - 1)] = std::move(own);
      });
      for (auto& part : parts) cand.insert(cand.end(), part.begin(), part.end());
      return detail::nth_candidate(cand, rank);
    }
  }
  // One key value left: the tie keeps its lower indices. In prune order
  // (index descending) the cut is the rank-th, i.e. in index order the
  // (count - 1 - rank)-th of the elements holding that key.
  return {lo, detail::nth_equal_index(n, lo, count - 1 - rank, key_at)};
}

}  // namespace interplay::sparsity
