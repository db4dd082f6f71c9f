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

#include "core/registry.hpp"
#include "core/rng.hpp"
#include "sparsifiers/params.hpp"
#include "sparsifiers/select.hpp"
#include "sparsifiers/sinks.hpp"

namespace interplay {
namespace {

// Stream id reserved for this sparsifier ("RANDSPAR" in ASCII).
constexpr std::uint64_t kRandomStream = 0x52414e4453504152ULL;

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
           sparsity::ValueSink{out.data.data(), sparsity::stream_output(in.size())});
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
  // (below: pruned, above: kept), counts the keys below it and collects the
  // few inside; the exact cut among those fixes their decisions. Returns
  // false, having decided nothing final, in the (about 1e-15) case that the
  // cut is not inside the window; decide() then runs the general selection,
  // which overwrites every decision. Either way the decisions are exactly
  // cut.keeps(key, index) of the unique cut.
  template <class Sink>
  bool decide_in_window(std::size_t n, std::size_t p, const float* x, const Sink& sink) const {
    using Candidate = sparsity::detail::Candidate<std::uint64_t>;
    const double margin = 4.0 * std::sqrt(double(n)) + 64.0;
    const double lo_rank = double(p) - margin, hi_rank = double(p) + margin;
    const std::uint64_t lo = lo_rank <= 0 ? 0 : std::uint64_t(lo_rank / double(n) * 0x1p64);
    const std::uint64_t hi =
        hi_rank >= double(n) ? ~std::uint64_t(0) : std::uint64_t(hi_rank / double(n) * 0x1p64);
    const std::uint64_t key0 = mix64(seed_ ^ mix64(kRandomStream));  // counter_hash, hoisted
    const int threads = sparsity::detail::thread_count(true);
    std::vector<std::vector<Candidate>> found(static_cast<std::size_t>(threads));
    std::vector<std::size_t> below(static_cast<std::size_t>(threads), 0);
    sparsity::detail::for_thread_chunks(threads, n, [&](int t, std::size_t begin, std::size_t end) {
      std::vector<Candidate>& mine = found[std::size_t(t)];
      std::size_t count = 0;
      // Keys are hashed a chunk at a time into a buffer (that loop
      // vectorises), then decided; the window test is vectorised per span
      // and only a span holding a candidate is scanned one by one. Chunks
      // end on the sink's 64-byte lines (a streaming sink writes whole lines).
      constexpr std::size_t kChunk = 256, kSpan = 32;
      std::uint64_t k[kChunk];
      for (std::size_t b = begin, m; b < end; b += m) {
        m = std::min(kChunk - (b + sink.line_offset()) % kChunk, end - b);
        for (std::size_t i = 0; i < m; ++i) k[i] = mix64(key0 + (b + i));
        const std::uint64_t* kb = k - b;
        sink.put_each(x, b, b + m, [kb, hi](std::size_t i) { return kb[i] > hi; });
        for (std::size_t i = 0; i < m; ++i) count += k[i] < lo;
        for (std::size_t s = 0; s < m; s += kSpan) {
          const std::size_t e = std::min(m, s + kSpan);
          unsigned any = 0;
          for (std::size_t i = s; i < e; ++i) any |= unsigned(k[i] - lo <= hi - lo);
          if (!any) continue;
          for (std::size_t i = s; i < e; ++i)
            if (k[i] - lo <= hi - lo) mine.emplace_back(k[i], b + i);
        }
      }
      below[std::size_t(t)] = count;
      sink.drain();
    });
    std::size_t under = 0;
    std::vector<Candidate> window;
    for (int t = 0; t < threads; ++t) {
      under += below[std::size_t(t)];
      window.insert(window.end(), found[std::size_t(t)].begin(), found[std::size_t(t)].end());
    }
    // The cut is the (p-1)-th in prune order; keys below the window precede
    // every candidate and keys above follow them.
    if (under > p - 1 || p - 1 - under >= window.size()) return false;
    const auto cut = sparsity::detail::nth_candidate(window, p - 1 - under);
    for (const Candidate& c : window) {
      const std::size_t i = std::size_t(c.second);
      sink.put(i, cut.keeps(c.first, c.second), x[i]);
    }
    return true;
  }

  // Below this size the general selection is cheap enough.
  static constexpr std::size_t kWindowMin = std::size_t(1) << 16;

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
