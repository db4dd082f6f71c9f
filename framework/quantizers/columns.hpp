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
#include <algorithm>
#include <cstdint>
#include <vector>

#include "formats/grid.hpp"
#include "quantizers/blocks.hpp"
#include "quantizers/keyed_plans.hpp"

namespace interplay {

// Copies of a row of per-column values placed against "4K aliasing": a
// load whose address equals a pending store's in the low 12 bits waits for
// that store. A plan array that sits a few hundred bytes below the output
// row modulo 4 KiB makes every load in the rounding loop wait for a recent
// store (measured: the loop at half speed). Two copies 2 KiB apart modulo
// 4 KiB: for any output row one of them lies 0 to 2 KiB above it, where
// the store a load could alias comes later or long before.
class PlacedCopies {
 public:
  void assign(const float* v, std::size_t n) {
    const std::size_t gap = (512 + 1024 - n % 1024) % 1024;  // floats to 2 KiB mod 4 KiB
    buf_.resize(2 * n + gap);
    std::copy(v, v + n, buf_.data());
    std::copy(v, v + n, buf_.data() + n + gap);
    second_ = n + gap;
  }
  // The copy to read while storing to `out` (the output of column 0).
  const float* near(const float* out) const {
    const auto d =
        (reinterpret_cast<std::uintptr_t>(buf_.data()) - reinterpret_cast<std::uintptr_t>(out)) &
        4095u;
    return d < 2048 ? buf_.data() : buf_.data() + second_;
  }

 private:
  std::vector<float> buf_;
  std::size_t second_ = 0;
};

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

  // Whether every column set() since begin() has the same grid (MX, INT
  // symmetric: only the scale differs): round_columns then keeps that grid
  // in registers instead of loading six values per column, which made the
  // loop several times slower than its memory traffic. Columns set to the
  // identity do not count: zeros come out as zeros on any fast grid, and
  // special columns are redone anyway.
  bool shared = true;
  GridLocals grid{Grid{}};

  void begin() { shared = true, any_ = false; }
  // After the last set(): the placed copies of the scales a shared grid reads.
  void finish() {
    if (!shared) return;
    placed_scale.assign(scale.data(), scale.size());
    placed_inv.assign(inv.data(), inv.size());
  }
  PlacedCopies placed_scale, placed_inv;

  void set(std::size_t c, const Grid& g, const SpanScale& s) {
    const FastGrid f(g);
    set(c, f, s.scale, s.inv);
  }
  // A plain plan of an exponent-keyed table (quantizers/keyed_plans.hpp).
  void set(std::size_t c, const KeyedPlan& p) { set(c, p.grid, p.scale, p.inv); }
  void set(std::size_t c, const GridLocals& f, float s, float i) {
    neg_bound[c] = f.neg_bound, pos_bound[c] = f.pos_bound, max[c] = f.max;
    overflow[c] = f.overflow_value, emin[c] = f.emin, mbits[c] = f.mbits;
    scale[c] = s, inv[c] = i, special[c] = 0;
    if (!any_) {
      grid = f, any_ = true;
    } else if (shared) {
      // Bit patterns, so a NaN overflow value compares equal to itself.
      shared = float_bits(f.neg_bound) == float_bits(grid.neg_bound) &&
               float_bits(f.pos_bound) == float_bits(grid.pos_bound) &&
               float_bits(f.max) == float_bits(grid.max) &&
               float_bits(f.overflow_value) == float_bits(grid.overflow_value) &&
               f.emin == grid.emin && f.mbits == grid.mbits;
    }
  }
  // Leaves (signed) zeros as they are and any other value finite: the plan
  // of an all-zero column, and the placeholder of a special one.
  void set_identity(std::size_t c, bool is_special) {
    neg_bound[c] = pos_bound[c] = max[c] = overflow[c] = 1.0f;
    emin[c] = mbits[c] = 0;
    scale[c] = inv[c] = 1.0f;
    special[c] = is_special;
  }

 private:
  bool any_ = false;
};

// y[c] = round(x[c] * inv[c]) * scale[c] (Pow2) or round(x[c] / scale[c]) *
// scale[c] for c < width: one row of a slab. y may be x (element c reads
// only x[c]: hence ivdep rather than restrict).
template <bool Pow2>
void round_columns(const ColumnPlans& p, const float* x, float* y, std::size_t width) {
  const float *nb = p.neg_bound.data(), *pb = p.pos_bound.data(), *mx = p.max.data(),
              *ov = p.overflow.data(), *sc = p.scale.data(), *iv = p.inv.data();
  const std::int32_t *em = p.emin.data(), *mb = p.mbits.data();
  if (p.shared) {
    const FastGrid g(p.grid);
    sc = p.placed_scale.near(y), iv = p.placed_inv.near(y);
#pragma GCC ivdep
    for (std::size_t c = 0; c < width; ++c) {
      const float v = Pow2 ? x[c] * iv[c] : x[c] / sc[c];
      y[c] = g(v) * sc[c];
    }
    return;
  }
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
