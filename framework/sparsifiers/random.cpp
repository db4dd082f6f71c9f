// Random pruning, the seeded baseline: exactly floor(numel * fraction)
// elements, a uniformly random subset chosen by `seed`. Element i gets the
// key counter_hash(seed, kRandomStream, i) and the smallest keys are pruned
// (a 64-bit tie keeps the lower index), so the mask is a pure function of
// (seed, shape): independent of the values and of the thread count.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <utility>
#include <vector>

#ifdef __AVX512F__
#include <immintrin.h>
#endif

#include "core/registry.hpp"
#include "core/rng.hpp"
#include "sparsifiers/params.hpp"
#include "sparsifiers/select.hpp"
#include "sparsifiers/sinks.hpp"

// GCC 12 reports its own AVX-512 intrinsics as uninitialised once inlined
// (GCC PR 105593); see magnitude_window.hpp.
#if defined(__AVX512F__) && defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

namespace interplay {
namespace {

// Stream id reserved for this sparsifier ("RANDSPAR" in ASCII).
constexpr std::uint64_t kRandomStream = 0x52414e4453504152ULL;

using Candidate = sparsity::detail::Candidate<std::uint64_t>;

// One thread's share [begin, end) of the window pass (decide_in_window
// below): appends the keys in [lo, hi] to `found`, returns how many keys are
// below lo and, with kWrite, writes the decision key >= lo of every element
// (the window's keys are kept for now, so an in-place sink still holds their
// values when they are settled).
template <bool kWrite, class Sink>
std::size_t window_pass(std::uint64_t key0, std::uint64_t lo, std::uint64_t hi, const float* x,
                        std::size_t begin, std::size_t end, const Sink& sink,
                        std::vector<Candidate>& found) {
  std::size_t count = 0, i = begin;
  auto one = [&](std::size_t j) {
    const std::uint64_t k = mix64(key0 + j);
    count += k < lo;
    if (k - lo <= hi - lo) found.emplace_back(k, j);
    if (kWrite) sink.put(j, k >= lo, x[j]);
  };
#if defined(__AVX512F__) && defined(__AVX512DQ__)
  // Sixteen keys at a time in registers (two vectors of eight 64-bit
  // hashes), decisions as a mask, from the first element that starts a sink
  // line (a streaming sink writes whole lines).
  for (; i < end && (i + sink.line_offset()) % 16 != 0; ++i) one(i);
  const __m512i step = _mm512_set_epi64(7, 6, 5, 4, 3, 2, 1, 0), eight = _mm512_set1_epi64(8);
  const __m512i vlo = _mm512_set1_epi64(std::int64_t(lo));
  const __m512i vwidth = _mm512_set1_epi64(std::int64_t(hi - lo)), one64 = _mm512_set1_epi64(1);
  __m512i vbelow = _mm512_setzero_si512();
  for (; i + 16 <= end; i += 16) {
    const __m512i c0 = _mm512_add_epi64(_mm512_set1_epi64(std::int64_t(key0 + i)), step);
    const __m512i k0 = mix64_x8(c0), k1 = mix64_x8(_mm512_add_epi64(c0, eight));
    const __mmask8 below0 = _mm512_cmplt_epu64_mask(k0, vlo);
    const __mmask8 below1 = _mm512_cmplt_epu64_mask(k1, vlo);
    vbelow = _mm512_mask_add_epi64(vbelow, below0, vbelow, one64);
    vbelow = _mm512_mask_add_epi64(vbelow, below1, vbelow, one64);
    const unsigned in = unsigned(_mm512_cmple_epu64_mask(_mm512_sub_epi64(k0, vlo), vwidth)) |
                        (unsigned(_mm512_cmple_epu64_mask(_mm512_sub_epi64(k1, vlo), vwidth)) << 8);
    for (unsigned m = in; m != 0; m &= m - 1) {
      const std::size_t j = i + std::size_t(__builtin_ctz(m));
      found.emplace_back(mix64(key0 + j), j);
    }
    if (kWrite)
      sink.put16_mask(i, _mm512_loadu_si512(x + i),
                      __mmask16(~(unsigned(below0) | (unsigned(below1) << 8))));
  }
  count += std::size_t(_mm512_reduce_add_epi64(vbelow));
#endif
  for (; i < end; ++i) one(i);
  return count;
}

class RandomSparsifier final : public Sparsifier {
 public:
  explicit RandomSparsifier(const Params& p)
      : fraction_(p.real("fraction")), seed_(std::uint64_t(p.integer("seed"))) {}

  void select(const Tensor& x, std::vector<std::uint8_t>& keep) const override {
    keep.resize(x.size());
    decide(x.size(), x.data.data(), sparsity::FlagSink{keep.data()});
  }

  // Fused: the decisions go straight to the values (one pass instead of a
  // mask written and read back), the same decisions as select().
  void sparsify(const Tensor& in, Tensor& out) const override {
    if (&out != &in) out.shape = in.shape, out.data.resize(in.size());
    decide(in.size(), in.data.data(),
           sparsity::ValueSink{out.data.data(), stream_output(in.size())});
  }

  // Every element's decision into `sink` (x: the values a ValueSink keeps),
  // in parallel for big tensors.
  template <class Sink>
  void decide(std::size_t n, const float* x, const Sink& sink) const {
    const std::size_t p = sparsity::prune_count(n, fraction_);
    if (n >= kWindowMin && p > 0 && p < n && decide_in_window(n, p, x, sink)) return;
    const std::uint64_t seed = seed_;
    auto key = [seed](std::size_t i) { return counter_hash(seed, kRandomStream, i); };
    const bool parallel = n > (1u << 16);
    const auto cut = sparsity::cut_after_smallest<std::uint64_t>(n, p, 64, parallel, key);
    constexpr std::size_t kChunk = std::size_t(1) << 16;
    const std::int64_t chunks = std::int64_t((n + kChunk - 1) / kChunk);
#pragma omp parallel for schedule(static) if (parallel)
    for (std::int64_t c = 0; c < chunks; ++c) {
      const std::size_t begin = std::size_t(c) * kChunk, end = std::min(n, begin + kChunk);
      sink.put_each(x, begin, end,
                    [&](std::size_t i) { return cut.keeps(key(i), std::uint64_t(i)); });
      sink.drain();
    }
  }

  // The keys are uniform 64-bit hashes, so the cut lies, with overwhelming
  // probability, in a narrow window around p/n * 2^64: the number of keys
  // below a fixed threshold is binomial with sd <= sqrt(n)/2, and the window
  // spans 8 sd each side. One pass then decides every key outside the window
  // (below: pruned, above: kept; the window's keys are kept for now), counts
  // the keys below it and collects the few inside; the exact cut among those
  // settles their decisions. Returns false in the (about 1e-15) case that the
  // cut is not inside the window; decide() then runs the general selection,
  // which overwrites every decision. Either way the decisions are exactly
  // cut.keeps(key, index) of the unique cut.
  //
  // A sink that writes over x must not lose a value the general selection
  // would keep, so it first counts without writing (the keys are hashes of
  // the index: that pass reads no memory), and writes only once the window
  // is known to hold the cut.
  template <class Sink>
  bool decide_in_window(std::size_t n, std::size_t p, const float* x, const Sink& sink) const {
    const double margin = 4.0 * std::sqrt(double(n)) + 64.0;
    const double lo_rank = double(p) - margin, hi_rank = double(p) + margin;
    const std::uint64_t lo = lo_rank <= 0 ? 0 : std::uint64_t(lo_rank / double(n) * 0x1p64);
    const std::uint64_t hi =
        hi_rank >= double(n) ? ~std::uint64_t(0) : std::uint64_t(hi_rank / double(n) * 0x1p64);
    const std::uint64_t key0 = mix64(seed_ ^ mix64(kRandomStream));  // counter_hash, hoisted
    const int threads = sparsity::detail::thread_count(true);
    std::vector<std::vector<Candidate>> found(static_cast<std::size_t>(threads));
    std::vector<std::size_t> below(static_cast<std::size_t>(threads), 0);
    // Each thread also bins its candidates' keys (kBins bins over [lo, hi]),
    // so that the serial step only has to sort out the bin holding the cut.
    int shift = 0;
    while (((hi - lo) >> shift) >= kBins) ++shift;
    std::vector<std::uint32_t> bins(kBins * std::size_t(threads), 0);
    const bool fused = !sink.aliases(x);
    // Each thread collects into a vector of its own, sized for the expected
    // count, and hands it over at the end: appending to found[t] in place
    // would write a cache line of vector headers that the other threads
    // write too, on every candidate.
    const double window_share = double(hi - lo) * 0x1p-64;
    const auto room_for = [window_share](std::size_t begin, std::size_t end) {
      std::vector<Candidate> v;
      v.reserve(std::size_t(double(end - begin) * window_share * 1.125) + 64);
      return v;
    };
    sparsity::detail::for_thread_chunks(threads, n, [&](int t, std::size_t begin, std::size_t end) {
      std::vector<Candidate> mine = room_for(begin, end);
      std::size_t count;
      if (fused) {
        count = window_pass<true>(key0, lo, hi, x, begin, end, sink, mine);
        sink.drain();
      } else {
        count = window_pass<false>(key0, lo, hi, x, begin, end, sink, mine);
      }
      std::uint32_t* h = bins.data() + kBins * std::size_t(t);
      for (const Candidate& c : mine) ++h[(c.first - lo) >> shift];
      below[std::size_t(t)] = count;
      found[std::size_t(t)] = std::move(mine);
    });
    std::size_t under = 0, inside = 0;
    for (int t = 0; t < threads; ++t) {
      under += below[std::size_t(t)];
      if (t > 0)
        for (std::size_t b = 0; b < kBins; ++b) bins[b] += bins[kBins * std::size_t(t) + b];
    }
    for (std::size_t b = 0; b < kBins; ++b) inside += bins[b];
    // The cut is the (p-1)-th in prune order; keys below the window precede
    // every candidate and keys above follow them.
    if (under > p - 1 || p - 1 - under >= inside) return false;
    std::size_t rank = p - 1 - under, bin = 0;
    while (bins[bin] <= rank) rank -= bins[bin++];
    std::vector<Candidate> in_bin;
    for (const auto& mine : found)
      for (const Candidate& c : mine)
        if (((c.first - lo) >> shift) == bin) in_bin.push_back(c);
    const auto cut = sparsity::detail::nth_candidate(in_bin, rank);
    if (!fused)  // the writing pass (it finds the same candidates again)
      sparsity::detail::for_thread_chunks(threads, n, [&](int, std::size_t begin, std::size_t end) {
        std::vector<Candidate> again = room_for(begin, end);
        window_pass<true>(key0, lo, hi, x, begin, end, sink, again);
        sink.drain();
      });
    // Each thread settles the candidates it found. The pass wrote them as
    // kept, so only the pruned ones (about half) are written again, and
    // their values are not needed: no read of x. They are scattered over
    // the tensor, so each costs a cache miss.
    sparsity::detail::for_thread_chunks(threads, n, [&](int t, std::size_t, std::size_t) {
      for (const Candidate& c : found[std::size_t(t)])
        if (!cut.keeps(c.first, c.second)) sink.put(std::size_t(c.second), false, 0.0f);
    });
    return true;
  }

  // Below this size the general selection is cheap enough.
  static constexpr std::size_t kWindowMin = std::size_t(1) << 16;
  // The window's bins: about 8 candidates each for a 4096 x 4096 tensor.
  static constexpr std::size_t kBins = 4096;

  SparsifierDescription describe() const override {
    SparsifierDescription d;
    d.score = SparsityScore::Random;
    return d;
  }

 private:
  double fraction_;
  std::uint64_t seed_;
};

}  // namespace

void register_random_sparsifier(Registry<Sparsifier>& r) {
  r.add({"random",
         "seeded baseline: prune a uniformly random subset of exact size",
         {sparsity::fraction_param("elements"),
          ParamSpec::integer("seed", 0, 0, 9007199254740991LL,
                             "selects the subset (counter-based: thread-count independent)")},
         [](const Params& p) { return std::make_unique<RandomSparsifier>(p); }});
}

}  // namespace interplay
