// Unstructured magnitude pruning. A group (the whole tensor for scope=tensor,
// each lane along `axis` for scope=row) of g elements loses exactly
// floor(g * fraction) of them: those with the smallest |x|.
//
// Tie rule: among equal |x| the LOWER flat index (lane position for row
// scope) is kept and the higher one pruned; -0 and +0 are equal magnitudes.
// NaN counts as the largest magnitude (above Inf), so NaNs are kept first;
// NaNs tie with each other by the same rule.
//
// Selection is O(n) per group, never a full sort: groups of 512 and more
// are bracketed by a sample (magnitude_window.hpp: two passes, only the keys
// near the cut histogrammed), the others and any group the sample misleads
// use the radix select (select.hpp: histogram of the |x| bits, then
// nth_element on one bucket); rows run in parallel. sparsify() is fused (no
// mask pass) except for rows along a strided axis.
#include <cstdint>

#include "core/registry.hpp"
#include "sparsifiers/lanes.hpp"
#include "sparsifiers/magnitude_window.hpp"
#include "sparsifiers/params.hpp"
#include "sparsifiers/select.hpp"
#include "sparsifiers/sinks.hpp"

namespace interplay {
namespace {

using sparsity::magnitude_key;

// Keeps the top magnitudes of x[0..n): the decisions cut.keeps(|x_i|, i),
// written as two vectorisable loops split at the cut index (below it a
// magnitude equal to the cut's is kept, from it on pruned).
template <class Sink>
void keep_top_magnitudes(const float* x, std::size_t n, double fraction, bool parallel,
                         const Sink& sink) {
  const std::size_t p = sparsity::prune_count(n, fraction);
  if (p > 0 && p < n &&
      sparsity::keep_top_magnitudes_windowed(x, n, p, sparsity::detail::thread_count(parallel),
                                             sink))
    return;
  const auto cut = sparsity::cut_after_smallest<std::uint32_t>(
      n, p, sparsity::kMagnitudeKeyBits, parallel,
      [x](std::size_t i) { return magnitude_key(x[i]); });
  const std::uint32_t t = cut.key;
  const std::size_t split = std::size_t(std::min<std::uint64_t>(cut.index, n));
  auto decide = [&](std::size_t begin, std::size_t end) {
    sink.put_range(x, begin, std::min(end, split), [t](float v) { return magnitude_key(v) >= t; });
    sink.put_range(x, std::max(begin, split), end, [t](float v) { return magnitude_key(v) > t; });
  };
  if (!parallel) {
    decide(0, n);
    return sink.drain();
  }
  constexpr std::size_t kChunk = std::size_t(1) << 16;
  const std::int64_t chunks = std::int64_t((n + kChunk - 1) / kChunk);
#pragma omp parallel for schedule(static)
  for (std::int64_t c = 0; c < chunks; ++c) {
    decide(std::size_t(c) * kChunk, std::min(n, std::size_t(c + 1) * kChunk));
    sink.drain();
  }
}

class MagnitudeSparsifier final : public Sparsifier {
 public:
  explicit MagnitudeSparsifier(const Params& p)
      : fraction_(p.real("fraction")),
        per_row_(p.str("scope") == "row"),
        axis_(int(p.integer("axis"))) {}

  void select(const Tensor& x, std::vector<std::uint8_t>& keep) const override {
    if (!per_row_) {
      keep.resize(x.size());
      return keep_top_magnitudes(x.data.data(), x.size(), fraction_,
                                 sparsity::worth_threads(x.size()),
                                 sparsity::FlagSink{keep.data()});
    }
    sparsity::for_each_lane(x, keep, axis_, 0, [&](const float* v, std::uint8_t* k, std::size_t n) {
      keep_top_magnitudes(v, n, fraction_, false, sparsity::FlagSink{k});
    });
  }

  void sparsify(const Tensor& in, Tensor& out) const override {
    if (in.size() == 0) return Sparsifier::sparsify(in, out);
    const AxisLayout L = per_row_ ? axis_layout(in.shape, axis_) : AxisLayout{1, in.size(), 1};
    if (L.inner != 1) return Sparsifier::sparsify(in, out);
    if (&out != &in) out.shape = in.shape, out.data.resize(in.size());
    const float* x = in.data.data();
    float* y = out.data.data();
    const bool stream = stream_output(in.size());
    if (!per_row_)
      return keep_top_magnitudes(x, in.size(), fraction_, sparsity::worth_threads(in.size()),
                                 sparsity::ValueSink{y, stream});
    sparsity::for_each_lane_piece(L, 0, [&](std::size_t first, std::size_t n) {
      keep_top_magnitudes(x + first, n, fraction_, false, sparsity::ValueSink{y + first, stream});
    });
  }

  SparsifierDescription describe() const override {
    SparsifierDescription d;
    if (per_row_) d.groups = Partitioning::blocks(axis_, 0);  // each lane is its own group
    return d;
  }

 private:
  double fraction_;
  bool per_row_;
  int axis_;
};

}  // namespace

void register_magnitude_sparsifier(Registry<Sparsifier>& r) {
  r.add({"magnitude",
         "unstructured: prune the smallest |x| (ties keep the lower index; NaN counts as largest)",
         {sparsity::fraction_param("elements"),
          ParamSpec::choice("scope", "tensor", {"tensor", "row"},
                            "tensor: one group; row: every lane along axis is its own group"),
          axis_param("rows (scope=row)")},
         [](const Params& p) { return std::make_unique<MagnitudeSparsifier>(p); }});
}

}  // namespace interplay
