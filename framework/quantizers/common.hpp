#pragma once
// Small pieces every quantizer shares: the rounding/seed policy and the
// treatment of special blocks.
#include <algorithm>
#include <limits>

#include "core/params.hpp"
#include "formats/grid.hpp"
#include "quantizers/blocks.hpp"

namespace interplay {

struct RoundingPolicy {
  Rounding mode = Rounding::NearestEven;
  std::uint64_t seed = 0;

  static RoundingPolicy from(const Params& p) {
    return {parse_rounding(p.str("rounding")), std::uint64_t(p.integer("seed"))};
  }
  Draws draws(const BlockRef& b) const { return {seed, b.index0, b.stride}; }
};

// A block holding NaN or Inf becomes all NaN (OCP MX: the scale is NaN).
inline void fill_nan(const BlockRef& b) {
  std::fill(b.out, b.out + b.n, std::numeric_limits<float>::quiet_NaN());
}
// An all-zero block stays exactly as it is (signed zeros included).
inline void copy_block(const BlockRef& b) {
  if (b.out != b.in) std::copy(b.in, b.in + b.n, b.out);
}

}  // namespace interplay
