// Block pruning: every lane along `axis` is cut into blocks of `block`
// elements (a ragged last block is just shorter), and exactly
// floor(num_blocks * fraction) whole blocks with the smallest norm are pruned,
// ranked over the whole tensor.
//
// Norms are accumulated in double, in order along the block: l1 = sum |x|,
// l2 ranks by sum x^2 (same order as the l2 norm, without sqrt rounding that
// could merge distinct norms into ties). A NaN norm counts as the largest.
// Tie rule: among equal norms the block with the LOWER index is kept, blocks
// being numbered by the flat index of their first element.
#include <algorithm>
#include <cmath>
#include <cstdint>

#include "core/registry.hpp"
#include "quantizers/blocks.hpp"
#include "sparsifiers/params.hpp"
#include "sparsifiers/select.hpp"

namespace interplay {
namespace {

class BlockSparsifier final : public Sparsifier {
 public:
  explicit BlockSparsifier(const Params& p)
      : block_(std::size_t(p.integer("block"))),
        fraction_(p.real("fraction")),
        l2_(p.str("norm") == "l2"),
        axis_(int(p.integer("axis"))) {}

  void select(const Tensor& x, std::vector<std::uint8_t>& keep) const override {
    keep.resize(x.size());
    if (x.size() == 0) return;
    const AxisLayout L = axis_layout(x.shape, axis_);
    const std::size_t bs = std::min(block_, L.len), per_lane = (L.len + bs - 1) / bs;
    // Block (o, b, i) covers lane (o, i) from position b*bs; its id
    // (o*per_lane + b)*inner + i follows the flat index of its first element.
    const std::size_t slabs = L.outer * per_lane, blocks = slabs * L.inner;
    // Reused across calls (a fresh buffer per call costs more in page faults
    // than the norms), and reached through a pointer: inside a parallel region
    // the name `storage` would mean each worker thread's own empty vector.
    static thread_local std::vector<double> storage;
    storage.resize(blocks);
    double* const norm = storage.data();
    const float* const v = x.data.data();
    for_each_slab(L, bs, per_lane, [&](std::size_t slab, std::size_t first, std::size_t rows) {
      double* acc = norm + slab * L.inner;
      if (L.inner == 1) {  // contiguous block: accumulate in a register
        *acc = l2_ ? sum_of_squares(v + first, rows) : sum_of_abs(v + first, rows);
        return;
      }
      std::fill(acc, acc + L.inner, 0.0);
      for (std::size_t k = 0; k < rows; ++k) {
        const float* row = v + first + k * L.inner;
        if (l2_)
          for (std::size_t i = 0; i < L.inner; ++i) acc[i] += double(row[i]) * double(row[i]);
        else
          for (std::size_t i = 0; i < L.inner; ++i) acc[i] += std::fabs(double(row[i]));
      }
    });

    const auto cut = sparsity::cut_after_smallest<std::uint64_t>(
        blocks, sparsity::prune_count(blocks, fraction_), sparsity::kNormKeyBits,
        blocks > (1u << 16), [&](std::size_t id) { return sparsity::norm_key(norm[id]); });

    for_each_slab(L, bs, per_lane, [&](std::size_t slab, std::size_t first, std::size_t rows) {
      for (std::size_t i = 0; i < L.inner; ++i) {
        const std::size_t id = slab * L.inner + i;
        const std::uint8_t k = cut.keeps(sparsity::norm_key(norm[id]), id);
        for (std::size_t r = 0; r < rows; ++r) keep[first + r * L.inner + i] = k;
      }
    });
  }

  // Blocks compete across the whole tensor.
  SparsifierDescription describe() const override {
    SparsifierDescription d;
    d.unit = Partitioning::blocks(axis_, block_);
    d.score = SparsityScore::BlockNorm;
    return d;
  }

 private:
  // In order along the block, as the strided path sums each column.
  static double sum_of_squares(const float* x, std::size_t n) {
    double s = 0.0;
    for (std::size_t k = 0; k < n; ++k) s += double(x[k]) * double(x[k]);
    return s;
  }
  static double sum_of_abs(const float* x, std::size_t n) {
    double s = 0.0;
    for (std::size_t k = 0; k < n; ++k) s += std::fabs(double(x[k]));
    return s;
  }

  // A slab is the `rows` x inner slice holding blocks (o, b, 0..inner-1);
  // fn(slab, flat index of its first element, rows), in parallel over slabs.
  template <class Fn>
  static void for_each_slab(const AxisLayout& L, std::size_t bs, std::size_t per_lane, Fn&& fn) {
    const std::int64_t slabs = std::int64_t(L.outer * per_lane);
#pragma omp parallel for schedule(static) if (slabs > 1 && L.outer * L.len * L.inner > (1u << 15))
    for (std::int64_t s = 0; s < slabs; ++s) {
      const std::size_t o = std::size_t(s) / per_lane, b = std::size_t(s) % per_lane;
      const std::size_t k0 = b * bs;
      fn(std::size_t(s), (o * L.len + k0) * L.inner, std::min(bs, L.len - k0));
    }
  }

  std::size_t block_;
  double fraction_;
  bool l2_;
  int axis_;
};

}  // namespace

void register_block_sparsifier(Registry<Sparsifier>& r) {
  r.add({"block",
         "prune whole blocks along axis with the smallest l1/l2 norm (ties keep the lower block)",
         {ParamSpec::integer("block", 4, 1, 1 << 20, "block size along axis (ragged last allowed)"),
          sparsity::fraction_param("blocks"),
          ParamSpec::choice("norm", "l2", {"l1", "l2"}, "block norm used for ranking"),
          axis_param("blocks")},
         [](const Params& p) { return std::make_unique<BlockSparsifier>(p); }});
}

}  // namespace interplay
