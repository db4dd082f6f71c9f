#pragma once
// Rounding onto a symmetric grid: the numeric heart shared by every quantizer.
//
// A grid is the set of multiples of the quantum 2^(max(floor(log2|v|), emin) - mbits):
//  * a float element format: emin = its smallest normal exponent, mbits = its
//    mantissa width (subnormals fall out of the clamp at emin);
//  * fixed point (INT, MXINT8, HBFP): emin = exponent of the largest value, so
//    the quantum is one constant 2^(emin - mbits).
// Values are first clamped to [lo, hi] (saturation: exact for monotone
// rounding because the bounds are on the grid), rounded, and a result above
// `max` overflows to Inf or NaN where the format says so.
#include <cmath>
#include <cstdint>
#include <limits>

#include "core/rng.hpp"
#include "formats/bits.hpp"
#include "formats/float_format.hpp"
#include "formats/rounding.hpp"

namespace interplay {

enum class Overflow { Saturate, Infinity, NaN };

struct Grid {
  int emin = 0, mbits = 0;
  float lo = -std::numeric_limits<float>::infinity();  // clamp bounds
  float hi = std::numeric_limits<float>::infinity();
  float max = std::numeric_limits<float>::infinity();  // largest finite magnitude
  Overflow overflow = Overflow::Saturate;
  bool fast = false;  // the float32 nearest-even kernel is exact on this grid
};

// The grid of a float element format. saturate=false keeps IEEE overflow:
// Inf where the format has it, NaN for OCP E4M3, clamping for finite-only.
Grid float_grid(const FloatFormat& f, bool saturate);
// Fixed point: multiples of 2^quantum_exp in [lo, hi] (lo <= 0 <= hi on the grid).
Grid fixed_grid(int quantum_exp, float lo, float hi);

// Reference rounding in double precision, every mode, every input. `u` is
// the uniform [0,1) draw used by stochastic rounding.
double round_to_grid(double v, const Grid& g, Rounding mode, double u);

// A grid unpacked into locals for the inline float32 kernels below (no
// aliasing with their output).
struct GridLocals {
  float neg_bound, pos_bound, max, overflow_value;
  std::int32_t emin, mbits;

  GridLocals() = default;

  explicit GridLocals(const Grid& g)
      : neg_bound(-g.lo),
        pos_bound(g.hi),
        max(g.max),
        overflow_value(g.overflow == Overflow::Infinity ? std::numeric_limits<float>::infinity()
                       : g.overflow == Overflow::NaN    ? std::numeric_limits<float>::quiet_NaN()
                                                        : g.max),
        emin(g.emin),
        mbits(g.mbits) {}
};

// Fast float32 nearest-even rounding for finite values on a grid with
// g.fast. Adding and subtracting C = 1.5 * 2^(quantum_exp + 23) rounds to a
// multiple of the quantum with the hardware's ties-to-even, branch-free, so
// the loop vectorises.
struct FastGrid : GridLocals {
  using GridLocals::GridLocals;
  explicit FastGrid(const GridLocals& g) : GridLocals(g) {}

  float operator()(float v) const {
    return round(v, neg_bound, pos_bound, max, overflow_value, emin, mbits);
  }

  // The same with the grid passed in pieces (per-column grids, quantizers/columns.hpp).
  static float round(float v, float neg_bound, float pos_bound, float max, float overflow_value,
                     std::int32_t emin, std::int32_t mbits) {
    const std::uint32_t b = float_bits(v), sign = b & 0x80000000u;
    float a = bits_float(b & 0x7fffffffu);
    const float bound = sign ? neg_bound : pos_bound;
    a = a < bound ? a : bound;
    const std::int32_t ev = std::int32_t(float_bits(a) >> 23) - 127;
    const std::int32_t e = ev < emin ? emin : ev;
    const float c = bits_float((std::uint32_t(e - mbits + 150) << 23) | 0x400000u);
    float r = (a + c) - c;
    r = r > max ? overflow_value : r;
    return bits_float(float_bits(r) | sign);
  }
};

// How a span is scaled onto its grid: v = x * inv (power-of-two scales, exact)
// or v = x / scale (general scales, matching float32 reference code).
struct SpanScale {
  float scale = 1.0f, inv = 1.0f;
  bool pow2 = true;
};

// Where stochastic rounding draws from: element i of the span has global
// index index0 + i * stride, so draws do not depend on threads or layout.
struct Draws {
  std::uint64_t seed = 0, index0 = 0, stride = 1;
};

// The vectorised nearest-even loop, inline so per-block callers pay no call.
// In place too: element i reads only x[i] (ivdep, not restrict).
inline void round_span_fast(const float* x, float* out, std::size_t n, const FastGrid& round,
                            const SpanScale& s) {
  const float scale = s.scale, inv = s.inv;
  if (s.pow2) {
#pragma GCC ivdep
    for (std::size_t i = 0; i < n; ++i) out[i] = round(x[i] * inv) * scale;
  } else {
#pragma GCC ivdep
    for (std::size_t i = 0; i < n; ++i) out[i] = round(x[i] / scale) * scale;
  }
}

// Stochastic rounding of one finite value in float32 arithmetic, exact (the
// same bits as round_to_grid with the same draw u) on grids where
// stochastic_f32_exact holds; the kernel of round_span's stochastic path,
// inline for block kernels that draw a chunk at a time (stochastic_draws).
struct StochasticGrid : GridLocals {
  using GridLocals::GridLocals;

  // y = a / q is below 2^22 (the 2^23 trick finds its nearest integer, then
  // the floor), and q and 1/q are normal floats, so every step is exact.
  float operator()(float v, float u) const {
    return round(v, u, neg_bound, pos_bound, max, overflow_value, emin, mbits);
  }

  // The same with the grid passed in pieces (plan tables, quantizers/keyed_plans.hpp).
  static float round(float v, float u, float neg_bound, float pos_bound, float max,
                     float overflow_value, std::int32_t emin, std::int32_t mbits) {
    const std::uint32_t bits = float_bits(v), sign = bits & 0x80000000u;
    float a = bits_float(bits & 0x7fffffffu);
    const float bound = sign ? neg_bound : pos_bound;
    a = a < bound ? a : bound;
    const std::int32_t ev = std::int32_t(float_bits(a) >> 23) - 127;
    const std::int32_t qexp = (ev < emin ? emin : ev) - mbits;
    const float q = bits_float(std::uint32_t(127 + qexp) << 23);
    const float y = a * bits_float(std::uint32_t(127 - qexp) << 23);
    const float t = (y + 0x1p23f) - 0x1p23f;
    const float f = t - (t > y ? 1.0f : 0.0f);
    const float up = u < y - f ? 1.0f : 0.0f;
    float r = (f + up) * q;
    r = r > max ? overflow_value : r;
    return bits_float(float_bits(r) | sign);
  }
};

// Whether StochasticGrid is exact on g: clamp bounds finite and not both
// zero, mbits <= 21, quanta from 2^-126 to 2^126. Inline: block kernels ask
// once per block.
inline bool stochastic_f32_exact(const Grid& g) {
  const float top = std::fmax(-g.lo, g.hi);
  if (!(std::isfinite(g.lo) && std::isfinite(g.hi) && top > 0 && g.mbits >= 0 && g.mbits <= 21 &&
        g.emin >= -126 && g.emin - g.mbits >= -126))
    return false;
  const int etop = floor_log2(top);
  return (etop > g.emin ? etop : g.emin) - g.mbits <= 126;
}

// The stochastic-rounding draw of flat index `index` under `seed` is
// stochastic_draw(stochastic_draw_key(seed), index): a uniform [0, 1) value on
// 24 bits, counter-based, so the same whatever the thread count or path.
// Inline for kernels that draw inside their rounding loop.
constexpr std::uint64_t kRoundingStream = 0x5eedu;
inline std::uint64_t stochastic_draw_key(std::uint64_t seed) {
  return mix64(seed ^ mix64(kRoundingStream));
}
inline float stochastic_draw(std::uint64_t key, std::uint64_t index) {
  return float(std::int32_t(mix64_high(key + index) >> 40)) * 0x1p-24f;
}

// u[i] = the stochastic-rounding draw of flat index index0 + i (i < n): the
// draws round_span uses, a chunk at a time.
void stochastic_draws(std::uint64_t seed, std::uint64_t index0, std::size_t n, float* u);

// out[i] = round(x[i] / scale) * scale onto the grid, any mode, any input.
void round_span_general(const float* x, float* out, std::size_t n, const Grid& g,
                        const SpanScale& s, Rounding mode, const Draws& d, bool finite);

// The entry point: the inline vectorised loop when it is exact (nearest-even,
// a fast grid, finite inputs), the general loop otherwise. `finite` promises no
// NaN/Inf in x (block quantizers check this per block).
inline void round_span(const float* x, float* out, std::size_t n, const Grid& g, const SpanScale& s,
                       Rounding mode, const Draws& d, bool finite) {
  if (mode == Rounding::NearestEven && g.fast && finite)
    return round_span_fast(x, out, n, FastGrid(g), s);
  round_span_general(x, out, n, g, s, mode, d, finite);
}

}  // namespace interplay
