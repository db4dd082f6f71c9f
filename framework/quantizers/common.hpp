#pragma once
// Small pieces every quantizer shares: the rounding/seed policy and the
// treatment of special blocks.
#include <algorithm>
#include <limits>
#include <type_traits>

#include "core/params.hpp"
#include "core/streaming.hpp"
#include "formats/grid.hpp"
#include "quantizers/blocks.hpp"
#include "quantizers/columns.hpp"
#include "quantizers/keyed_plans.hpp"
#include "quantizers/stochastic_block.hpp"

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

// Blocks along a strided axis, nearest-even: slabs of one block's rows, in
// strips of columns, each column a block (quantizers/columns.hpp). Per strip:
// the columns' amax over the slab's rows, their plans, then the rows rounded
// with those plans (the slab is still in the cache); `block` redoes the
// special columns (NaN/Inf, a zero plan, a slow grid).
//
// Keyed: plan(amax) depends only on amax's exponent, and each column's plan
// comes from a per-thread table (quantizers/keyed_plans.hpp): a plan per
// column of one block cost more than the block's elements.
template <bool Keyed, class Plan, class Block>
void quantize_amax_columns(const Tensor& in, Tensor& out, const BlockLayout& layout,
                           const Plan& plan, const Block& block) {
  const AxisLayout L = axis_layout(in.shape, layout.axis);
  const std::size_t bs = layout.size == 0 ? L.len : std::min(layout.size, L.len);
  const std::size_t nb = (L.len + bs - 1) / bs;
  constexpr std::size_t kStrip = 2048;  // columns: a 32-row slab strip is 256 KiB (L2)
  const std::size_t strips = (L.inner + kStrip - 1) / kStrip;
  const std::int64_t total = std::int64_t(L.outer * nb * strips);
  const float* x = in.data.data();
  float* y = out.data.data();
  // The rows' stores wait on memory: stream them (core/streaming.hpp).
  const bool stream = stream_output(in.size());
#pragma omp parallel if (total > 1 && in.size() > (1u << 15))
  {
    ColumnPlans plans(kStrip);
    SpecialColumns special;
    KeyedPlans<Plan> keyed(plan, false);
    std::uint32_t amax[kStrip];
    alignas(64) float rowbuf[kStrip];  // a rounded row on its way to memory
#pragma omp for schedule(static)
    for (std::int64_t j = 0; j < total; ++j) {
      const std::size_t strip = std::size_t(j) % strips, ob = std::size_t(j) / strips;
      const std::size_t o = ob / nb, k0 = (ob % nb) * bs, rows = std::min(bs, L.len - k0);
      const std::size_t c0 = strip * kStrip, w = std::min(kStrip, L.inner - c0);
      const std::size_t base = o * L.len * L.inner + k0 * L.inner + c0;
      std::fill(amax, amax + w, 0u);
      // span_amax of each column, four rows per sweep of `amax` (a sweep per
      // row loaded and stored it as often as the rows are read).
      std::size_t r = 0;
      for (; r + 4 <= rows; r += 4) {
        const float* x0 = x + base + r * L.inner;
        const float *x1 = x0 + L.inner, *x2 = x1 + L.inner, *x3 = x2 + L.inner;
        for (std::size_t c = 0; c < w; ++c) {
          const std::uint32_t b0 = float_bits(x0[c]) & 0x7fffffffu,
                              b1 = float_bits(x1[c]) & 0x7fffffffu,
                              b2 = float_bits(x2[c]) & 0x7fffffffu,
                              b3 = float_bits(x3[c]) & 0x7fffffffu;
          const std::uint32_t m01 = b0 > b1 ? b0 : b1, m23 = b2 > b3 ? b2 : b3;
          const std::uint32_t m = m01 > m23 ? m01 : m23;
          amax[c] = m > amax[c] ? m : amax[c];
        }
      }
      for (; r < rows; ++r) {
        const float* row = x + base + r * L.inner;
        for (std::size_t c = 0; c < w; ++c) {
          const std::uint32_t b = float_bits(row[c]) & 0x7fffffffu;
          amax[c] = b > amax[c] ? b : amax[c];
        }
      }
      // One scale kind per strip (a format's plans share it): the first
      // column with a plan decides, any other is special.
      int pow2 = -1;
      plans.begin();
      for (std::size_t c = 0; c < w; ++c) {
        if constexpr (Keyed) {  // every plain keyed plan has a pow2 scale
          const KeyedPlan& p = keyed[amax[c]];
          if (p.state == 1)
            plans.set(c, p), pow2 = 1;
          else
            plans.set_identity(c, amax[c] != 0);
          continue;
        }
        if (amax[c] >= 0x7f800000u) {
          plans.set_identity(c, true);
        } else if (amax[c] == 0) {
          plans.set_identity(c, false);
        } else {
          const BlockPlan p = plan(bits_float(amax[c]));
          if (pow2 < 0 && !p.zero && p.grid.fast) pow2 = p.scale.pow2;
          if (p.zero || !p.grid.fast || int(p.scale.pow2) != pow2)
            plans.set_identity(c, true);
          else
            plans.set(c, p.grid, p.scale);
        }
      }
      plans.finish();
      special.gather(plans, x + base, rows, w, L.inner);
      for (std::size_t r = 0; r < rows; ++r) {
        const std::size_t at = base + r * L.inner;
        float* dst = stream ? rowbuf : y + at;
        if (pow2 == 0)
          round_columns<false>(plans, x + at, dst, w);
        else
          round_columns<true>(plans, x + at, dst, w);
        if (stream) stream_copy(y + at, rowbuf, w);
      }
      special.redo(y + base, rows, L.inner, base, block);
    }
    stream_fence();
  }
}

// The skeleton every amax-scaled block format shares (MX, HBFP, NVFP4): a
// block holding NaN/Inf becomes NaN, an all-zero block is kept, and any other
// block is rounded as `plan(amax)` says.
//
// amax_block(rounding, plan) is one block's code, for kernels that handle the
// common blocks themselves and hand it the others.
template <class Plan>
auto amax_block(const RoundingPolicy& rounding, const Plan& plan) {
  return [&rounding, &plan](const BlockRef& b) {
    const SpanAmax m = span_amax(b.in, b.n);
    if (m.nonfinite) return fill_nan(b);
    if (m.amax == 0.0f) return copy_block(b);
    const BlockPlan p = plan(m.amax);
    if (p.zero) {
      for (std::size_t i = 0; i < b.n; ++i) b.out[i] = b.in[i] * 0.0f;  // keeps signs
      return;
    }
    round_span(b.in, b.out, b.n, p.grid, p.scale, rounding.mode, rounding.draws(b), true);
  };
}

namespace detail {

// Elements per chunk of the stochastic block kernels. A chunk is read twice
// (the blocks' amaxes, then the rounding): short chunks let the next chunk's
// reads overlap this one's arithmetic. Measured on 4096 x 4096 stochastic
// MXFP4, one thread: 2048 -> 2.7, 512 -> 2.9-3.1, 256 -> 3.2, 128 -> 3.3
// Gelem/s (two threads: 5.2 -> 6.2 at 256).
constexpr std::size_t kStochasticChunk = 256;

// Stochastic rounding of the chunk of blocks [b0, b0 + nb) whose plans come
// from the exponent-keyed table (quantizers/keyed_plans.hpp). Each block
// draws inside its rounding loop (no draws stored and reloaded). The blocks
// that are not plain are redone by `block` after the loop, which then holds
// no call: a call clobbers every vector register, and the loop would reload
// its constants for each block.
template <std::size_t B, class Plan, class Block>
void stochastic_keyed_chunk(const float* x, float* y, std::size_t b0, std::size_t nb,
                            std::uint64_t key, KeyedPlans<Plan>& plans, const Block& block) {
  constexpr std::size_t kBlocks = kStochasticChunk / B;
  // The chunk's plans first, so that rounding a block does not wait on its
  // amax reduction and table lookup (a latency chain per block).
  std::uint32_t amax[kBlocks];
  for (std::size_t k = 0; k < nb; ++k) amax[k] = amax_bits(x + (b0 + k) * B, B);
  const KeyedPlan* chunk_plans[kBlocks];
  for (std::size_t k = 0; k < nb; ++k) chunk_plans[k] = &plans[amax[k]];
  std::size_t redo[kBlocks], redos = 0;
  for (std::size_t k = 0; k < nb; ++k) {
    const KeyedPlan& p = *chunk_plans[k];
    if (p.state != 1) {
      redo[redos++] = k;
      continue;
    }
    // Plain: the scaled values are finite (keyed_plans.hpp), no check.
    const std::size_t at = (b0 + k) * B;
    round_stochastic_block<B>(x + at, y + at, key, at, p);
  }
  for (std::size_t r = 0; r < redos; ++r) {
    const std::size_t at = (b0 + redo[r]) * B;
    block(BlockRef{x + at, y + at, B, at, 1});
  }
}

// The same with a plan and a check per block: the chunk's draws in one
// vectorised loop first. A block that is not plain (NaN/Inf, all zero, a
// zero plan, a grid StochasticGrid is not exact on, or an amax that
// overflows when scaled, so some value would) is done by `block` instead,
// decided before anything of the block is written: y may be x.
template <std::size_t B, class Plan, class Block>
void stochastic_planned_chunk(const float* x, float* y, std::size_t b0, std::size_t nb,
                              const RoundingPolicy& rounding, const Plan& plan,
                              const Block& block) {
  constexpr std::size_t kBlocks = kStochasticChunk / B;
  float u[kBlocks * B];
  stochastic_draws(rounding.seed, b0 * B, nb * B, u);
  for (std::size_t k = 0; k < nb; ++k) {
    const std::size_t at = (b0 + k) * B;
    const float* xb = x + at;
    float* yb = y + at;
    const float* ub = u + k * B;
    const std::uint32_t m = amax_bits(xb, B);
    BlockPlan p;
    // Scaling is monotonic, so the block's values scale to finite values
    // exactly when its amax does.
    if (m == 0 || m >= 0x7f800000u || (p = plan(bits_float(m))).zero ||
        !stochastic_f32_exact(p.grid) ||
        !std::isfinite(p.scale.pow2 ? bits_float(m) * p.scale.inv
                                    : bits_float(m) / p.scale.scale)) {
      block(BlockRef{xb, yb, B, at, 1});
      continue;
    }
    const StochasticGrid round(p.grid);
    const float scale = p.scale.scale, inv = p.scale.inv;
    // In place too: element i reads only xb[i] (ivdep, not restrict).
    if (p.scale.pow2) {
#pragma GCC ivdep
      for (std::size_t i = 0; i < B; ++i) yb[i] = round(xb[i] * inv, ub[i]) * scale;
    } else {
#pragma GCC ivdep
      for (std::size_t i = 0; i < B; ++i) yb[i] = round(xb[i] / scale, ub[i]) * scale;
    }
  }
}

}  // namespace detail

// Stochastic rounding of blocks of B that tile contiguous lanes, a chunk of
// kStochasticChunk elements at a time, each block rounded with the inline
// StochasticGrid (the per-block call, set-up and hashed key of round_span
// cost more than a block's elements). Keyed: plan(amax) depends only on
// amax's exponent (quantizers/keyed_plans.hpp), and the plans come from a
// per-thread table instead of a plan and a check per block.
template <std::size_t B, bool Keyed, class Plan, class Block>
void quantize_amax_stochastic(const Tensor& in, Tensor& out, const RoundingPolicy& rounding,
                              const Plan& plan, const Block& block) {
  static_assert(detail::kStochasticChunk % B == 0, "whole blocks per chunk");
  constexpr std::size_t kBlocks = detail::kStochasticChunk / B;
  const std::size_t blocks = in.size() / B;
  const std::int64_t chunks = std::int64_t((blocks + kBlocks - 1) / kBlocks);
  const float* x = in.data.data();
  float* y = out.data.data();
#pragma omp parallel if (chunks > 1 && in.size() > (1u << 15))
  {
    KeyedPlans<Plan> plans(plan, true);
    const std::uint64_t key = stochastic_draw_key(rounding.seed);
#pragma omp for schedule(static)
    for (std::int64_t c = 0; c < chunks; ++c) {
      const std::size_t b0 = std::size_t(c) * kBlocks, nb = std::min(kBlocks, blocks - b0);
      if constexpr (Keyed)
        detail::stochastic_keyed_chunk<B>(x, y, b0, nb, key, plans, block);
      else
        detail::stochastic_planned_chunk<B>(x, y, b0, nb, rounding, plan, block);
    }
  }
}

// `plan_by_exponent`: plan(amax) depends only on amax's exponent field and
// whether its mantissa is zero (quantizers/keyed_plans.hpp), which lets the
// kernels look plans up in a table: contiguous blocks of 16/32/64 (nearest
// even, and stochastic out of place) and blocks along a strided axis.
template <class Plan>
void quantize_amax_blocks(const Tensor& in, Tensor& out, const BlockLayout& layout,
                          const RoundingPolicy& rounding, Plan&& plan,
                          bool plan_by_exponent = false) {
  const auto block = amax_block(rounding, plan);
  if (&out != &in) out.shape = in.shape, out.data.resize(in.size());
  if (in.size() == 0) return;
  if (plan_by_exponent && !layout.whole_tensor && rounding.mode == Rounding::NearestEven) {
    const AxisLayout L = axis_layout(in.shape, layout.axis);
    if (L.inner == 1 && layout.size > 0 && L.len % layout.size == 0) {
      if (layout.size == 16) return quantize_keyed_blocks<16>(in, out, plan, block);
      if (layout.size == 32) return quantize_keyed_blocks<32>(in, out, plan, block);
      if (layout.size == 64) return quantize_keyed_blocks<64>(in, out, plan, block);
    }
  }
  // Out of place only: the stochastic kernel may redo a block from its input
  // after writing its output.
  if (!layout.whole_tensor && rounding.mode == Rounding::Stochastic && &out != &in) {
    const AxisLayout L = axis_layout(in.shape, layout.axis);
    if (L.inner == 1 && layout.size > 0 && L.len % layout.size == 0) {
      const auto chunked = [&](auto keyed) {
        constexpr bool K = decltype(keyed)::value;
        if (layout.size == 16)
          return quantize_amax_stochastic<16, K>(in, out, rounding, plan, block), true;
        if (layout.size == 32)
          return quantize_amax_stochastic<32, K>(in, out, rounding, plan, block), true;
        if (layout.size == 64)
          return quantize_amax_stochastic<64, K>(in, out, rounding, plan, block), true;
        return false;
      };
      if (plan_by_exponent ? chunked(std::true_type{}) : chunked(std::false_type{})) return;
    }
  }
  // A strided axis with nearest-even rounding takes the column kernel.
  if (!layout.whole_tensor && rounding.mode == Rounding::NearestEven &&
      axis_layout(in.shape, layout.axis).inner > 1)
    return plan_by_exponent ? quantize_amax_columns<true>(in, out, layout, plan, block)
                            : quantize_amax_columns<false>(in, out, layout, plan, block);
  for_each_block(in, out, layout, block);
}

}  // namespace interplay
