#pragma once
// Nearest-even rounding of contiguous blocks for formats whose block plan is
// a function of the amax's exponent field and of whether its mantissa is
// zero (MX: floor(log2 amax); HBFP: ceil(log2 amax)). Every block whose
// amax shares those two gets the same plan, so a kernel looks the plan up
// in a 512-entry table instead of computing it per block (HBFP's fixed_grid
// alone cost as much as the block's 64 elements). Each thread fills its
// table lazily, so a small tensor pays only for the plans it uses.
//
// The rounding is round_span_fast's arithmetic exactly (x * inv, FastGrid,
// * scale), so the output is bit-identical to the per-block code, which
// still handles every block the table does not mark plain: amax zero,
// subnormal or non-finite (exponent field 0 or 255), a zero plan, a grid
// without the fast kernel, a general (non power-of-two) scale.
#include <cfloat>
#include <cmath>
#include <cstdint>

#include "formats/grid.hpp"
#include "quantizers/blocks.hpp"

namespace interplay {

// One plan of the table: the grid unpacked as FastGrid::round takes it.
struct KeyedPlan {
  GridLocals grid;
  float scale, inv;
  std::uint8_t state;  // 0: not filled yet, 1: plain, 2: the per-block code
};

// The table key of an amax encoding (sign bit clear): exponent field and
// whether the mantissa is nonzero.
inline std::uint32_t exponent_key(std::uint32_t amax_bits) {
  return ((amax_bits >> 22) & ~1u) | std::uint32_t((amax_bits & 0x7fffffu) != 0);
}

template <class Plan>
class KeyedPlans {
 public:
  // stochastic: plain means StochasticGrid is exact on the grid
  // (stochastic_f32_exact) rather than FastGrid (Grid::fast).
  KeyedPlans(const Plan& plan, bool stochastic) : plan_(plan), stochastic_(stochastic) {
    for (auto& p : table_) p.state = 0;
  }

  const KeyedPlan& operator[](std::uint32_t amax_bits) {
    KeyedPlan& p = table_[exponent_key(amax_bits)];
    if (p.state == 0) fill(p, amax_bits);
    return p;
  }

 private:
  void fill(KeyedPlan& p, std::uint32_t amax_bits) {
    p.state = 2;
    const std::uint32_t field = amax_bits >> 23;
    if (field == 0 || field == 255) return;  // zero, subnormal, NaN/Inf
    // Any amax with this key has the same plan: take the key's smallest.
    const std::uint32_t repr = (field << 23) | std::uint32_t((amax_bits & 0x7fffffu) != 0);
    const auto b = plan_(bits_float(repr));
    if (b.zero || !b.scale.pow2 || !(stochastic_ ? stochastic_f32_exact(b.grid) : b.grid.fast))
      return;
    // Every |x| of such a block is below 2^(field - 126), so x * inv stays
    // finite when that bound times inv does: plain blocks need no NaN/Inf
    // check on their scaled values.
    if (!(std::ldexp(double(b.scale.inv), int(field) - 126) <= double(FLT_MAX))) return;
    p.grid = GridLocals(b.grid);
    p.scale = b.scale.scale, p.inv = b.scale.inv;
    p.state = 1;
  }

  const Plan& plan_;
  bool stochastic_;
  KeyedPlan table_[512];
};

// Blocks of B that tile the flat tensor (contiguous lanes, lane length a
// multiple of B), nearest-even: one pass per block, amax then rounding while
// the block is in registers; each thread takes one contiguous range of
// blocks. `block` is the per-block code for blocks that are not plain. In
// place is fine: a block is read whole before it is written.
template <std::size_t B, class Plan, class Block>
void quantize_keyed_blocks(const Tensor& in, Tensor& out, const Plan& plan, const Block& block) {
  const std::size_t blocks = in.size() / B;
  const float* x = in.data.data();
  float* y = out.data.data();
#pragma omp parallel if (blocks > 1 && in.size() > (1u << 15))
  {
    KeyedPlans<Plan> plans(plan, false);
    const auto [lo, hi] = thread_share(blocks);
    for (std::size_t k = lo; k < hi; ++k) {
      float v[B];
      std::uint32_t m = 0;
      for (std::size_t i = 0; i < B; ++i) {
        v[i] = x[k * B + i];
        const std::uint32_t b = float_bits(v[i]) & 0x7fffffffu;
        m = b > m ? b : m;
      }
      const KeyedPlan& p = plans[m];
      if (p.state != 1) {
        block(BlockRef{x + k * B, y + k * B, B, k * B, 1});
        continue;
      }
      const float nb = p.grid.neg_bound, pb = p.grid.pos_bound, mx = p.grid.max;
      const float ov = p.grid.overflow_value, scale = p.scale, inv = p.inv;
      const std::int32_t emin = p.grid.emin, mbits = p.grid.mbits;
      float* yb = y + k * B;
      for (std::size_t i = 0; i < B; ++i)
        yb[i] = FastGrid::round(v[i] * inv, nb, pb, mx, ov, emin, mbits) * scale;
    }
  }
}

}  // namespace interplay
