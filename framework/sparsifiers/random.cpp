// Random pruning, the seeded baseline: exactly floor(numel * fraction)
// elements, a uniformly random subset chosen by `seed`. Element i gets the
// key counter_hash(seed, kRandomStream, i) and the smallest keys are pruned
// (a 64-bit tie keeps the lower index), so the mask is a pure function of
// (seed, shape): independent of the values and of the thread count.
#include <cstdint>

#include "core/registry.hpp"
#include "core/rng.hpp"
#include "sparsifiers/params.hpp"
#include "sparsifiers/select.hpp"

namespace interplay {
namespace {

// Stream id reserved for this sparsifier ("RANDSPAR" in ASCII).
constexpr std::uint64_t kRandomStream = 0x52414e4453504152ULL;

class RandomSparsifier final : public Sparsifier {
 public:
  explicit RandomSparsifier(const Params& p)
      : fraction_(p.real("fraction")), seed_(std::uint64_t(p.integer("seed"))) {}

  void select(const Tensor& x, std::vector<std::uint8_t>& keep) const override {
    const std::size_t n = x.size();
    keep.resize(n);
    std::uint8_t* k = keep.data();
    decide(n, [k](std::size_t i, bool kept) { k[i] = kept; });
  }

  // Fused: the decisions go straight to the values (one pass instead of a
  // mask written and read back), the same decisions as select().
  void sparsify(const Tensor& in, Tensor& out) const override {
    if (&out != &in) out.shape = in.shape, out.data.resize(in.size());
    const float* x = in.data.data();
    float* y = out.data.data();
    decide(in.size(), [x, y](std::size_t i, bool kept) {
      const float v = x[i];  // loaded unconditionally so the select vectorises
      y[i] = kept ? v : 0.0f;
    });
  }

  // put(i, kept) for every element, in parallel for big tensors.
  template <class Put>
  void decide(std::size_t n, const Put& put) const {
    const std::uint64_t seed = seed_;
    auto key = [seed](std::size_t i) { return counter_hash(seed, kRandomStream, i); };
    const bool parallel = n > (1u << 16);
    const auto cut = sparsity::cut_after_smallest<std::uint64_t>(
        n, sparsity::prune_count(n, fraction_), 64, parallel, key);
    const std::int64_t sn = std::int64_t(n);
#pragma omp parallel for schedule(static) if (parallel)
    for (std::int64_t i = 0; i < sn; ++i)
      put(std::size_t(i), cut.keeps(key(std::size_t(i)), std::uint64_t(i)));
  }

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
