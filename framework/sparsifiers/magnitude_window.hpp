#pragma once
// Magnitude selection guided by a sample: the fast path of keep_top_magnitudes
// for one group (a tensor or a lane) of 512 elements and more.
//
// The general selection (select.hpp) histograms every key, and those scalar
// increments cost more than the memory traffic. Here a small sample of the
// keys brackets the cut in a key window [lo, hi] that holds a few percent of
// the elements. One vectorised pass counts the keys below the window and
// histograms only the keys inside it, which gives the bucket holding the
// cut; a second pass writes every decision outside that bucket and collects
// the bucket's few candidates, whose exact cut (select.hpp's prune order)
// fixes their decisions. The sample only steers the work: the pass checks
// that the cut really is in the window, and when it is not (a sample that
// misrepresents the data), or the bucket is too large to collect (heavy
// ties), the function returns false without having written anything, and the
// caller runs the general selection. Either way the decisions are exactly
// cut.keeps(|x_i| key, i) of the unique cut.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

#ifdef __AVX512F__
#include <immintrin.h>
#endif

// GCC 12 reports its own AVX-512 intrinsics (their _mm512_undefined_*
// operands) as uninitialised once inlined here (a compiler bug, GCC PR 105593).
#if defined(__AVX512F__) && defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#define INTERPLAY_WINDOW_DIAGNOSTICS_PUSHED
#endif

#include "core/rng.hpp"
#include "sparsifiers/select.hpp"

namespace interplay::sparsity {

namespace window_detail {

constexpr std::uint32_t kMaxKey = 0x7f800001u;  // magnitude_key of NaN, the largest

// Sizes that decide the cost: how many keys are sampled, the margin around
// the target rank (in standard deviations of a sample quantile's rank,
// sqrt(s)/2 at most), and the histogram resolutions.
struct Plan {
  std::size_t sample_runs;  // runs of 16 consecutive keys
  double margin_sd;
  int sample_bits, window_bits;
  std::size_t max_bucket;  // larger boundary buckets go to the general selection
};

// Lanes up to this size (32 KB, within a core's L1) are prefetched whole
// before they are sampled; a longer lane would evict its own start.
constexpr std::size_t kPrefetchMax = std::size_t(1) << 13;

inline Plan plan_for(std::size_t n) {
  // A big group: 2^15 sampled keys, 8 sd (a miss about once in 1e15 for
  // values in random order) put about 4 % of the keys in the window.
  if (n >= (std::size_t(1) << 20)) return {2048, 8.0, 12, 12, std::size_t(1) << 16};
  // A lane: one key in 16 (at least 128), 3.5 sd (a miss about once in 2000 lanes of values
  // in random order; it costs one general selection): about a quarter of a
  // 4096-lane in the window, which is still cheap because the lane is in the
  // L1 cache. (One key in 8 measured slower on 4096-lanes, on a loaded
  // machine: the sample's cost grew more than the narrower window saved.)
  return {std::max<std::size_t>(n / 256, 8), 3.5, 10, 8, std::max<std::size_t>(n / 16, 64)};
}

// The keys of `runs` runs of 16 consecutive elements, one run per equal
// region of x[0, n) at a hashed offset (a fixed stride would always sample
// the same columns of a matrix).
inline void sample_keys(const float* x, std::size_t n, std::size_t runs, std::uint32_t* out) {
  const std::size_t region = n / runs;
  for (std::size_t j = 0; j < runs; ++j) {
    const std::uint64_t h = mix64(j) >> 32;  // times (region - 15), over 2^32: no division
    const float* r = x + j * region + std::size_t((h * (region - 15)) >> 32);
    std::memcpy(out + 16 * j, r, 16 * sizeof(float));  // whole runs: no gathers
  }
  for (std::size_t i = 0; i < 16 * runs; ++i) {
    float v;
    std::memcpy(&v, out + i, sizeof v);
    out[i] = magnitude_key(v);
  }
}

// Histograms are counted into kCopies interleaved copies of `bins` counters
// (element j into copy j % kCopies) and then summed: keys that fall in one
// bin one after another would otherwise wait on each other's increments.
constexpr std::size_t kCopies = 4;

inline void count_bins(const std::uint32_t* bin, std::size_t m, std::uint32_t* hist,
                       std::size_t bins) {
  std::size_t j = 0;
  for (; j + kCopies <= m; j += kCopies)
    for (std::size_t c = 0; c < kCopies; ++c) ++hist[c * bins + bin[j + c]];
  for (; j < m; ++j) ++hist[bin[j]];
}

// Sums `copies` consecutive runs of `bins` counters into the first.
inline void sum_copies(std::uint32_t* hist, std::size_t bins, std::size_t copies) {
  for (std::size_t c = 1; c < copies; ++c)
    for (std::size_t b = 0; b < bins; ++b) hist[b] += hist[c * bins + b];
}

// Index of the bin holding the rank-th key (0-based) of a histogram.
inline std::size_t bin_of_rank(const std::uint32_t* hist, std::size_t bins, std::size_t rank) {
  std::size_t b = 0;
  for (; b + 64 <= bins; b += 64) {  // whole runs of 64 bins at a time (a vectorised sum)
    std::size_t run = 0;
    for (std::size_t i = b; i < b + 64; ++i) run += hist[i];
    if (run > rank) break;
    rank -= run;
  }
  while (b + 1 < bins && hist[b] <= rank) rank -= hist[b++];
  return b;
}

// Right shift that maps [0, span] onto at most 2^bits bins.
inline int shift_for(std::uint32_t span, int bits) {
  int shift = 0;
  while ((span >> shift) >= (std::uint32_t(1) << bits)) ++shift;
  return shift;
}

// The key window [lo, hi] around the `target`-th smallest sampled key,
// `margin` sample ranks wide on each side, from a histogram of the sample.
inline void window_from_sample(const std::uint32_t* keys, std::size_t s, double target,
                               double margin, int bits, std::vector<std::uint32_t>& hist,
                               std::uint32_t& lo, std::uint32_t& hi) {
  std::uint32_t kmin = kMaxKey, kmax = 0;
  for (std::size_t i = 0; i < s; ++i)
    kmin = std::min(kmin, keys[i]), kmax = std::max(kmax, keys[i]);
  const int shift = shift_for(kmax - kmin, bits);
  const std::size_t bins = std::size_t((kmax - kmin) >> shift) + 1;
  // A lane's few hundred keys spread over many bins: one copy, which is
  // cheaper to clear than four.
  const std::size_t copies = s >= 4096 ? kCopies : 1;
  hist.assign(copies * bins, 0);
  constexpr std::size_t kChunk = 256;
  std::uint32_t bin[kChunk];
  for (std::size_t b = 0; b < s; b += kChunk) {
    const std::size_t m = std::min(kChunk, s - b);
    for (std::size_t i = 0; i < m; ++i) bin[i] = (keys[b + i] - kmin) >> shift;
    if (copies == 1)
      for (std::size_t i = 0; i < m; ++i) ++hist[bin[i]];
    else
      count_bins(bin, m, hist.data(), bins);
  }
  sum_copies(hist.data(), bins, copies);
  const double rank_lo = std::floor(target - margin), rank_hi = std::ceil(target + margin);
  lo = rank_lo < 0
           ? 0
           : kmin + (std::uint32_t(bin_of_rank(hist.data(), bins, std::size_t(rank_lo))) << shift);
  if (rank_hi >= double(s)) {
    hi = kMaxKey;
  } else {
    const std::uint32_t b = std::uint32_t(bin_of_rank(hist.data(), bins, std::size_t(rank_hi)));
    hi = std::min(kMaxKey, kmin + (b << shift) + ((std::uint32_t(1) << shift) - 1));
  }
}

// Adds the bins (key - lo) >> shift of the keys of x[begin, end) that lie in
// [lo, lo + span] to hist (kCopies copies of `bins`); returns how many keys
// are below lo. The window holds a few percent of the keys: AVX-512 packs
// their bins (a compress) so only they are counted one by one.
inline std::size_t window_histogram(const float* x, std::size_t begin, std::size_t end,
                                    std::uint32_t lo, std::uint32_t span, int shift,
                                    std::uint32_t* hist, std::size_t bins) {
  std::size_t below = 0, i = begin;
#ifdef __AVX512F__
  constexpr std::size_t kBuf = 1024;
  alignas(64) std::uint32_t buf[kBuf + 16];
  std::size_t m = 0;
  const __m512i abs_mask = _mm512_set1_epi32(0x7fffffff), nan_key = _mm512_set1_epi32(int(kMaxKey));
  const __m512i vlo = _mm512_set1_epi32(int(lo)), vspan = _mm512_set1_epi32(int(span));
  const __m512i one = _mm512_set1_epi32(1);
  const __m128i vshift = _mm_cvtsi32_si128(shift);
  __m512i vbelow = _mm512_setzero_si512();
  for (; i + 16 <= end; i += 16) {
    const __m512i k =
        _mm512_min_epu32(_mm512_and_si512(_mm512_loadu_si512(x + i), abs_mask), nan_key);
    vbelow = _mm512_mask_add_epi32(vbelow, _mm512_cmplt_epu32_mask(k, vlo), vbelow, one);
    const __m512i d = _mm512_sub_epi32(k, vlo);
    const __mmask16 in = _mm512_cmple_epu32_mask(d, vspan);
    _mm512_storeu_si512(buf + m, _mm512_maskz_compress_epi32(in, _mm512_srl_epi32(d, vshift)));
    m += std::size_t(__builtin_popcount(unsigned(in)));
    if (m > kBuf - 16) {
      count_bins(buf, m, hist, bins);
      m = 0;
    }
  }
  count_bins(buf, m, hist, bins);
  below = std::size_t(std::uint32_t(_mm512_reduce_add_epi32(vbelow)));
#else
  (void)bins;      // the scalar loop counts into the first copy only
#endif
  for (; i < end; ++i) {
    const std::uint32_t k = magnitude_key(x[i]), d = k - lo;
    below += k < lo;
    if (d <= span) ++hist[d >> shift];
  }
  return below;
}

// Writes the decision `key >= blo` of every element of x[begin, end) (the
// bucket [blo, blo + bspan] is kept for now, so an in-place sink keeps its
// values, and fixed later) and appends the bucket's candidates to `out`.
// A nonzero `prefetch` is an address whose next end - begin floats are
// prefetched along the way (the next lane: only an address, never read).
template <class Sink>
void write_outside_bucket(const float* x, std::size_t begin, std::size_t end, std::uint32_t blo,
                          std::uint32_t bspan, const Sink& sink,
                          std::vector<detail::Candidate<std::uint32_t>>& out,
                          std::uintptr_t prefetch = 0) {
  auto one = [&](std::size_t i) {
    const std::uint32_t k = magnitude_key(x[i]);
    if (k - blo <= bspan) out.emplace_back(k, i);
    sink.put(i, k >= blo, x[i]);
  };
  std::size_t i = begin;
#ifdef __AVX512F__
  // Sixteen at a time from the first element that starts a sink line (a
  // streaming sink writes whole lines); the rare bucket member is collected
  // from the mask before its value is overwritten.
  for (; i < end && (i + sink.line_offset()) % 16 != 0; ++i) one(i);
  const __m512i abs_mask = _mm512_set1_epi32(0x7fffffff), nan_key = _mm512_set1_epi32(int(kMaxKey));
  const __m512i vblo = _mm512_set1_epi32(int(blo)), vbspan = _mm512_set1_epi32(int(bspan));
  for (; i + 16 <= end; i += 16) {
    const __m512i v = _mm512_loadu_si512(x + i);
    const __m512i k = _mm512_min_epu32(_mm512_and_si512(v, abs_mask), nan_key);
    const __mmask16 in = _mm512_cmple_epu32_mask(_mm512_sub_epi32(k, vblo), vbspan);
    for (unsigned m = in; m != 0; m &= m - 1) {
      const std::size_t j = i + std::size_t(__builtin_ctz(m));
      out.emplace_back(magnitude_key(x[j]), j);
    }
    sink.put16_mask(i, v, _mm512_cmpge_epu32_mask(k, vblo));
    if (prefetch) __builtin_prefetch(reinterpret_cast<const void*>(prefetch + 4 * (i - begin)));
  }
#else
  (void)prefetch;  // only the vector loop has a pace to prefetch at
#endif
  for (; i < end; ++i) one(i);
}

}  // namespace window_detail

// Decides x[0, n) (p of them pruned, 0 < p < n) given a key window [lo, hi]
// thought to hold the cut, with a histogram of 2^window_bits bins over it;
// returns false, having written nothing, when the cut is not in the window
// or its bucket holds more than max_bucket keys. Public for the tests, which
// hand it wrong windows.
template <class Sink>
bool keep_top_magnitudes_in_window(const float* x, std::size_t n, std::size_t p, int threads,
                                   std::uint32_t lo, std::uint32_t hi, int window_bits,
                                   std::size_t max_bucket, const Sink& sink) {
  using namespace window_detail;
  using C = detail::Candidate<std::uint32_t>;
  thread_local std::vector<std::uint32_t> hist;
  // Pass 1: keys below the window and a histogram of the keys inside it.
  const std::uint32_t span = hi - lo;
  const int shift = shift_for(span, window_bits);
  const std::size_t bins = std::size_t(span >> shift) + 1;
  hist.assign(kCopies * bins * std::size_t(threads), 0);
  std::uint32_t* const hist_base = hist.data();
  std::vector<std::size_t> below_all(static_cast<std::size_t>(threads), 0);
  detail::for_thread_chunks(threads, n, [&](int t, std::size_t begin, std::size_t end) {
    below_all[std::size_t(t)] = window_histogram(x, begin, end, lo, span, shift,
                                                 hist_base + kCopies * bins * std::size_t(t), bins);
  });
  std::size_t below = 0, inside = 0;
  for (int t = 0; t < threads; ++t) below += below_all[std::size_t(t)];
  sum_copies(hist.data(), bins, kCopies * std::size_t(threads));
  for (std::size_t b = 0; b < bins; ++b) inside += hist[b];
  // The cut is the (p-1)-th key in prune order: keys below the window come
  // first, the window's next. Outside the window: the sample misled us.
  if (below > p - 1 || p - 1 - below >= inside) return false;
  std::size_t rank = p - 1 - below;
  const std::size_t bucket = bin_of_rank(hist.data(), bins, rank);
  for (std::size_t b = 0; b < bucket; ++b) rank -= hist[b];
  const std::size_t count = hist[bucket];
  if (count > max_bucket) return false;
  const std::uint32_t blo = lo + (std::uint32_t(bucket) << shift);
  const std::uint32_t bspan = std::min(std::uint32_t((std::uint32_t(1) << shift) - 1), hi - blo);

  // Pass 2: every decision outside the bucket, and the bucket's candidates.
  thread_local std::vector<C> cand;
  cand.clear();
  std::vector<C>& first = cand;  // a reference: worker threads have their own `cand`
  std::vector<std::vector<C>> parts(static_cast<std::size_t>(threads - 1));
  // A lane's pass asks for the next lane along the way (lanes are mostly
  // handed over in memory order), so its sample does not wait on memory.
  const std::uintptr_t next =
      threads == 1 && n <= kPrefetchMax ? reinterpret_cast<std::uintptr_t>(x) + 4 * n : 0;
  detail::for_thread_chunks(threads, n, [&](int t, std::size_t begin, std::size_t end) {
    // Other threads collect into a vector of their own and hand it over at
    // the end (appending to parts[t - 1] in place would write a cache line
    // of vector headers that other threads write too).
    std::vector<C> mine;
    write_outside_bucket(x, begin, end, blo, bspan, sink, t == 0 ? first : mine, next);
    sink.drain();
    if (t > 0) parts[std::size_t(t - 1)] = std::move(mine);
  });
  for (auto& part : parts) cand.insert(cand.end(), part.begin(), part.end());
  const auto cut = detail::nth_candidate(cand, rank);
  for (const C& c : cand) {
    const std::size_t i = std::size_t(c.second);
    sink.put(i, cut.keeps(c.first, c.second), x[i]);
  }
  return true;
}

// Decides x[0, n) (p of them pruned, 0 < p < n) through the sample window and
// returns true, or returns false having written nothing (see above).
// `threads` > 1 splits both passes evenly over an OpenMP team.
template <class Sink>
bool keep_top_magnitudes_windowed(const float* x, std::size_t n, std::size_t p, int threads,
                                  const Sink& sink) {
  using namespace window_detail;
  if (n < 512 || n > std::numeric_limits<std::uint32_t>::max()) return false;
  const Plan plan = plan_for(n);
  const std::size_t s = 16 * plan.sample_runs;
  thread_local std::vector<std::uint32_t> sample, sample_hist;
  sample.resize(s);
  // A lane is usually read from memory for the first time here: ask for all
  // of it at once, so the scattered sample does not wait on one line at a
  // time (measured: the sample's misses took most of a 4096-lane's time).
  if (n <= kPrefetchMax)
    for (std::size_t i = 0; i < n; i += 16) __builtin_prefetch(x + i);
  sample_keys(x, n, plan.sample_runs, sample.data());
  std::uint32_t lo, hi;
  window_from_sample(sample.data(), s, double(p - 1) / double(n) * double(s),
                     plan.margin_sd * 0.5 * std::sqrt(double(s)) + 1, plan.sample_bits, sample_hist,
                     lo, hi);
  return keep_top_magnitudes_in_window(x, n, p, threads, lo, hi, plan.window_bits, plan.max_bucket,
                                       sink);
}

}  // namespace interplay::sparsity

#ifdef INTERPLAY_WINDOW_DIAGNOSTICS_PUSHED
#pragma GCC diagnostic pop
#undef INTERPLAY_WINDOW_DIAGNOSTICS_PUSHED
#endif
