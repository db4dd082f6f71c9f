#pragma once
// Scale groups that run along a strided axis (MX/HBFP/NVFP4 blocks along
// axis 0, per-channel INT scales along the last axis), without transposing:
// a group is a column of a row-major slab, each column gets its own plan
// (grid + scale), and the rows stream through contiguously, vectorised across
// columns. Per element this is round_span_fast's arithmetic exactly
// (FastGrid::round, then the same multiply or divide by the scale), so the
// output is bit-identical to the per-group path; a column the vector loop
// cannot take (NaN/Inf, a zero plan, a grid without the fast kernel) is
// handed to the group's own code afterwards.
#include <cstdint>
#include <vector>

#include "formats/grid.hpp"
#include "quantizers/blocks.hpp"

namespace interplay {

// Struct-of-arrays plans of `width` columns, for round_columns.
struct ColumnPlans {
  std::vector<float> neg_bound, pos_bound, max, overflow, scale, inv;
  std::vector<std::int32_t> emin, mbits;
  std::vector<std::uint8_t> special;  // 1: redo the column with the group's own code

  explicit ColumnPlans(std::size_t width)
      : neg_bound(width),
        pos_bound(width),
        max(width),
        overflow(width),
        scale(width),
        inv(width),
        emin(width),
        mbits(width),
        special(width) {}

  void set(std::size_t c, const Grid& g, const SpanScale& s) {
    const FastGrid f(g);
    neg_bound[c] = f.neg_bound, pos_bound[c] = f.pos_bound, max[c] = f.max;
    overflow[c] = f.overflow_value, emin[c] = f.emin, mbits[c] = f.mbits;
    scale[c] = s.scale, inv[c] = s.inv, special[c] = 0;
  }
  // Leaves (signed) zeros as they are and any other value finite: the plan
  // of an all-zero column, and the placeholder of a special one.
  void set_identity(std::size_t c, bool is_special) {
    neg_bound[c] = pos_bound[c] = max[c] = overflow[c] = 1.0f;
    emin[c] = mbits[c] = 0;
    scale[c] = inv[c] = 1.0f;
    special[c] = is_special;
  }
};

// y[c] = round(x[c] * inv[c]) * scale[c] (Pow2) or round(x[c] / scale[c]) *
// scale[c] for c < width: one row of a slab. y may be x (element c reads
// only x[c]: hence ivdep rather than restrict).
template <bool Pow2>
void round_columns(const ColumnPlans& p, const float* x, float* y, std::size_t width) {
  const float *nb = p.neg_bound.data(), *pb = p.pos_bound.data(), *mx = p.max.data(),
              *ov = p.overflow.data(), *sc = p.scale.data(), *iv = p.inv.data();
  const std::int32_t *em = p.emin.data(), *mb = p.mbits.data();
#pragma GCC ivdep
  for (std::size_t c = 0; c < width; ++c) {
    const float v = Pow2 ? x[c] * iv[c] : x[c] / sc[c];
    y[c] = FastGrid::round(v, nb[c], pb[c], mx[c], ov[c], em[c], mb[c]) * sc[c];
  }
}

// The special columns of a slab (rows x width at x, row stride ld), gathered
// before its rows are rounded (which may overwrite them when out is in), and
// redone afterwards with fn(BlockRef), the group's own code.
class SpecialColumns {
 public:
  void gather(const ColumnPlans& p, const float* x, std::size_t rows, std::size_t width,
              std::size_t ld) {
    cols_.clear();
    for (std::size_t c = 0; c < width; ++c)
      if (p.special[c]) cols_.push_back(c);
    in_.resize(cols_.size() * rows), out_.resize(rows);
    for (std::size_t i = 0; i < cols_.size(); ++i)
      detail::gather_lanes(x + cols_[i], in_.data() + i * rows, rows, ld, 1);
  }
  // index0: the flat index of the slab's first element.
  template <class Fn>
  void redo(float* y, std::size_t rows, std::size_t ld, std::uint64_t index0, Fn&& fn) {
    for (std::size_t i = 0; i < cols_.size(); ++i) {
      fn(BlockRef{in_.data() + i * rows, out_.data(), rows, index0 + cols_[i], ld});
      detail::scatter_lanes(out_.data(), y + cols_[i], rows, ld, 1);
    }
  }

 private:
  std::vector<std::size_t> cols_;
  std::vector<float> in_, out_;
};

}  // namespace interplay
