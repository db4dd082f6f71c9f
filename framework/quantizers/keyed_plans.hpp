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

#include <omp.h>

#include "core/streaming.hpp"
#include "formats/grid.hpp"
#include "quantizers/block_amax.hpp"
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
inline std::uint32_t exponent_key(std::uint32_t amax) {
  return ((amax >> 22) & ~1u) | std::uint32_t((amax & 0x7fffffu) != 0);
}

template <class Plan>
class KeyedPlans {
 public:
  // stochastic: plain means StochasticGrid is exact on the grid
  // (stochastic_f32_exact) rather than FastGrid (Grid::fast).
  KeyedPlans(const Plan& plan, bool stochastic) : plan_(plan), stochastic_(stochastic) {
    for (auto& p : table_) p.state = 0;
  }

  const KeyedPlan& operator[](std::uint32_t amax) {
    KeyedPlan& p = table_[exponent_key(amax)];
    if (p.state == 0) fill(p, amax);
    return p;
  }

 private:
  void fill(KeyedPlan& p, std::uint32_t amax) {
    p.state = 2;
    const std::uint32_t field = amax >> 23;
    if (field == 0 || field == 255) return;  // zero, subnormal, NaN/Inf
    // Any amax with this key has the same plan: take the key's smallest.
    const std::uint32_t repr = (field << 23) | std::uint32_t((amax & 0x7fffffu) != 0);
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

namespace detail {

// Block x[0, B) rounded into y with the plain plan p: round_span_fast's
// arithmetic (x * inv, FastGrid, * scale). y may be x (element i reads only
// x[i]: hence ivdep rather than restrict).
template <std::size_t B>
inline void round_keyed_block(const float* x, float* y, const KeyedPlan& p) {
  const float nb = p.grid.neg_bound, pb = p.grid.pos_bound, mx = p.grid.max;
  const float ov = p.grid.overflow_value, scale = p.scale, inv = p.inv;
  const std::int32_t emin = p.grid.emin, mbits = p.grid.mbits;
#pragma GCC ivdep
  for (std::size_t i = 0; i < B; ++i)
    y[i] = FastGrid::round(x[i] * inv, nb, pb, mx, ov, emin, mbits) * scale;
}

}  // namespace detail

// Blocks of B that tile the flat tensor (contiguous lanes, lane length a
// multiple of B), nearest-even; each thread takes one contiguous range of
// blocks. A group of 4 KiB at a time: the amaxes of sixteen blocks in one
// vector (quantizers/block_amax.hpp), the group's plans, then each plain
// block rounded; the others are redone by `block` (the per-block code)
// after the loop, which then holds no call (a call clobbers every vector
// register). The rest one block at a time. In place is fine: a block is
// read whole before it is written, element by element.
template <std::size_t B, class Plan, class Block>
void quantize_keyed_blocks(const Tensor& in, Tensor& out, const Plan& plan, const Block& block) {
  const std::size_t blocks = in.size() / B;
  const float* x = in.data.data();
  float* y = out.data.data();
#ifdef __AVX512F__
  const bool big = stream_output(in.size());
#endif
#pragma omp parallel if (blocks > 1 && in.size() > (1u << 15))
  {
    KeyedPlans<Plan> plans(plan, false);
    const auto [lo, hi] = thread_share(blocks);
    std::size_t k = lo;
#ifdef __AVX512F__
    // Streamed output (core/streaming.hpp) only when threads share the
    // memory: measured on 4096 x 4096 MXFP8, two threads went from 5.5-6.4
    // to 6.5-7.7 Gelem/s, while one thread, bound by its own arithmetic,
    // went from 4.4-4.7 to 4.0-4.2.
    const bool stream = big && omp_get_num_threads() > 1;
    // Groups of 4 KiB (at least 16 blocks): each streamed group starts and
    // ends with a part line written by plain stores.
    constexpr std::size_t G = B >= 64 ? 16 : 1024 / B;
    alignas(64) float buffer[G * B];
    for (; k + G <= hi; k += G) {
      // Without this the amax pass waits on memory (the rounding of a group
      // fills the reorder window, so the next group's loads start late):
      // fetch the group after next.
      if (k + 3 * G <= blocks)
        for (std::size_t i = 0; i < G * B; i += 16)
          _mm_prefetch(reinterpret_cast<const char*>(x + (k + 2 * G) * B + i), _MM_HINT_T0);
      float* const yg = stream ? buffer : y + k * B;
      StreamCopy lines(y + k * B, buffer);
      alignas(64) std::uint32_t amax[G];
      for (std::size_t j = 0; j < G; j += 16)
        _mm512_store_si512(amax + j, detail::amax_of_16_blocks<B>(x + (k + j) * B));
      const KeyedPlan* p[G];
      for (std::size_t j = 0; j < G; ++j) p[j] = &plans[amax[j]];
      // Lines are streamed as blocks are rounded, up to the first block
      // that is redone afterwards.
      std::size_t redo[G], redos = 0, ready = G * B;
      for (std::size_t j = 0; j < G; ++j) {
        if (p[j]->state != 1) {
          if (redos == 0) ready = j * B;
          redo[redos++] = j;
          continue;
        }
        detail::round_keyed_block<B>(x + (k + j) * B, yg + j * B, *p[j]);
        // Every 64 floats: for blocks of 16 or 32, a call per block cost
        // about 6 % of the two-thread rate.
        if (stream && (j + 1) * B % 64 == 0) lines.produced(std::min((j + 1) * B, ready));
      }
      for (std::size_t r = 0; r < redos; ++r) {
        const std::size_t at = (k + redo[r]) * B;
        block(BlockRef{x + at, yg + redo[r] * B, B, at, 1});
      }
      if (stream) lines.finish(G * B);
    }
    if (stream) stream_fence();
#endif
    for (; k < hi; ++k) {
      const KeyedPlan& p = plans[amax_bits(x + k * B, B)];
      if (p.state != 1) {
        block(BlockRef{x + k * B, y + k * B, B, k * B, 1});
        continue;
      }
      detail::round_keyed_block<B>(x + k * B, y + k * B, p);
    }
  }
}

}  // namespace interplay
