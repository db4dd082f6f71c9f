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

// How one block is rounded: onto `grid` after dividing by `scale`; `zero`
// flushes the block (a scale that underflowed to 0).
struct BlockPlan {
  Grid grid;
  SpanScale scale;
  bool zero = false;
};

// The skeleton every amax-scaled block format shares (MX, HBFP, NVFP4): a
// block holding NaN/Inf becomes NaN, an all-zero block is kept, and any other
// block is rounded as `plan(amax)` says.
template <class Plan>
void quantize_amax_blocks(const Tensor& in, Tensor& out, const BlockLayout& layout,
                          const RoundingPolicy& rounding, Plan&& plan) {
  for_each_block(in, out, layout, [&](const BlockRef& b) {
    const SpanAmax m = span_amax(b.in, b.n);
    if (m.nonfinite) return fill_nan(b);
    if (m.amax == 0.0f) return copy_block(b);
    const BlockPlan p = plan(m.amax);
    if (p.zero) {
      for (std::size_t i = 0; i < b.n; ++i) b.out[i] = b.in[i] * 0.0f;  // keeps signs
      return;
    }
    round_span(b.in, b.out, b.n, p.grid, p.scale, rounding.mode, rounding.draws(b), true);
  });
}

}  // namespace interplay
