#include "formats/grid.hpp"

#include <algorithm>
#include <cstring>

namespace interplay {

namespace {

// The float32 kernel needs the magic constant's exponent field in [1, 254]
// for every reachable exponent, and |v| < 2^(qexp + 22) so the add is exact.
void decide_fast(Grid& g) {
  const float top = std::max(-g.lo, g.hi);
  if (!std::isfinite(top) || top <= 0) return void(g.fast = false);
  const int etop = floor_log2(top);
  g.fast =
      g.mbits <= 21 && g.emin - g.mbits + 150 >= 1 && std::max(etop, g.emin) - g.mbits + 150 <= 254;
}

double round_units(double y, Rounding mode, double u) {
  switch (mode) {
    case Rounding::NearestEven:
      return std::nearbyint(y);
    case Rounding::NearestAway:
      return std::floor(y + 0.5);  // exact: y < 2^52
    case Rounding::TowardZero:
      return std::floor(y);
    case Rounding::Stochastic: {
      const double f = std::floor(y);
      return f + (u < y - f ? 1.0 : 0.0);
    }
  }
  return y;
}

double overflow_value(const Grid& g) {
  switch (g.overflow) {
    case Overflow::Infinity:
      return HUGE_VAL;
    case Overflow::NaN:
      return std::numeric_limits<double>::quiet_NaN();
    case Overflow::Saturate:
      return g.max;
  }
  return g.max;
}

// The reference (round_to_grid) for one element of a span: stochastic draws
// are counter-based on the element's flat index.
float round_one(float x, const Grid& g, const SpanScale& s, Rounding mode, const Draws& d,
                std::size_t i) {
  const float v = s.pow2 ? x * s.inv : x / s.scale;
  const double u = mode == Rounding::Stochastic
                       ? double(uniform24(d.seed, kRoundingStream, d.index0 + i * d.stride))
                       : 0.0;
  return static_cast<float>(round_to_grid(v, g, mode, u)) * s.scale;
}

// Stochastic rounding without round_to_grid's calls (frexp, ldexp, floor) and
// branches, so that it vectorises. Every step is the reference's arithmetic,
// exactly:
//  * the exponent comes from the clamped float's bits: exact for normals, and
//    a subnormal (field 0, read as -127) clamps to emin >= -126 like its true
//    exponent would;
//  * y = a / q with q = 2^(e - mbits) is a power-of-two scaling in double,
//    exact; floor(y) is the nearest integer from the 2^52 trick (y < 2^51),
//    stepped down when it lies above y;
//  * the draw is counter_hash(seed, stream, index) = mix64(K + index) with K
//    hoisted, as uniform24 makes it;
//  * the sign is put back on the float result (negation commutes with the
//    rounding cast).
// Clamp bounds must be finite (an Inf v then clamps and overflows like the
// reference); a NaN v, or anything else special, is redone by the reference.
bool stochastic_fast(const Grid& g) {
  return g.emin >= -126 && g.mbits >= 0 && g.mbits <= 50 && std::isfinite(g.lo) &&
         std::isfinite(g.hi) && (g.overflow == Overflow::Saturate || g.mbits <= 23);
}

double bits_double(std::uint64_t b) {
  double d;
  std::memcpy(&d, &b, 8);
  return d;
}

// Spans are rounded in chunks of this many elements (the draws stay in L1).
constexpr std::size_t kChunk = 256;

// Whether any of value_at(0 .. n-1) is NaN or Inf: a chunk holding one is
// rounded by the reference element by element, decided before anything of
// it is written (the kernels run in place too, and the reference needs x).
template <class ValueAt>
bool any_nonfinite(std::size_t n, const ValueAt& value_at) {
  unsigned special = 0;
  for (std::size_t i = 0; i < n; ++i)
    special |= unsigned((float_bits(value_at(i)) & 0x7f800000u) == 0x7f800000u);
  return special != 0;
}

// The reference for x[b, b + m) (see round_one).
void round_chunk_by_reference(const float* x, float* out, std::size_t b, std::size_t m,
                              const Grid& g, const SpanScale& s, Rounding mode, const Draws& d) {
  for (std::size_t i = b; i < b + m; ++i) out[i] = round_one(x[i], g, s, mode, d, i);
}

template <bool Pow2>
void round_span_stochastic(const float* x, float* out, std::size_t n, const Grid& g,
                           const SpanScale& s, const Draws& d) {
  const std::uint64_t key = stochastic_draw_key(d.seed), stride = d.stride;
  const float neg_bound = -g.lo, pos_bound = g.hi, scale = s.scale, inv = s.inv;
  const float max = g.max, over = static_cast<float>(overflow_value(g));
  const std::int32_t emin = g.emin, mbits = g.mbits;
  float u[kChunk];
  for (std::size_t b = 0; b < n; b += kChunk) {
    const std::size_t m = std::min(kChunk, n - b);
    const float* xb = x + b;
    if (any_nonfinite(m, [&](std::size_t i) { return Pow2 ? xb[i] * inv : xb[i] / scale; })) {
      round_chunk_by_reference(x, out, b, m, g, s, Rounding::Stochastic, d);
      continue;
    }
    const std::uint64_t i0 = d.index0 + b * stride;
    for (std::size_t i = 0; i < m; ++i) u[i] = stochastic_draw(key, i0 + i * stride);
      // In place too: element i reads only x[b + i] (ivdep, not restrict).
#pragma GCC ivdep
    for (std::size_t i = 0; i < m; ++i) {
      const float v = Pow2 ? xb[i] * inv : xb[i] / scale;
      const std::uint32_t bits = float_bits(v), sign = bits & 0x80000000u;
      float a = bits_float(bits & 0x7fffffffu);
      const float bound = sign ? neg_bound : pos_bound;
      a = a < bound ? a : bound;
      const std::int32_t ev = std::int32_t(float_bits(a) >> 23) - 127;
      const std::int32_t qexp = (ev < emin ? emin : ev) - mbits;
      const double q = bits_double(std::uint64_t(1023 + qexp) << 52);
      const double y = double(a) * bits_double(std::uint64_t(1023 - qexp) << 52);
      // Selects of constants only: a conditional t - 1.0 could trap, so the
      // compiler would keep a (mispredicted) branch and not vectorise.
      const double t = (y + 0x1p52) - 0x1p52;
      const double f = t - (t > y ? 1.0 : 0.0);
      const double up = double(u[i]) < y - f ? 1.0 : 0.0;
      // The overflow test on the float result (a double select here keeps
      // the loop from vectorising): the same as the reference's test on r,
      // since r is exact in float when mbits <= 23, and a saturating grid
      // gives max either way.
      float r = static_cast<float>((f + up) * q);
      r = r > max ? over : r;
      out[b + i] = bits_float(float_bits(r) | sign) * scale;
    }
  }
}

// The same arithmetic in float (StochasticGrid), twice the lanes and no
// conversions, where every step is still exact: mbits <= 21 keeps y = a / q
// below 2^22 (the 2^23 trick finds its nearest integer) and (f + up) within
// 24 bits; quanta from 2^-126 to 2^126 keep q and 1/q normal floats, so
// y = a * (1/q) and (f + up) * q are exact scalings. The values equal the
// double kernel's at each step, so the results are the same bits.
template <bool Pow2>
void round_span_stochastic_f32(const float* x, float* out, std::size_t n, const Grid& g,
                               const SpanScale& s, const Draws& d) {
  const std::uint64_t key = stochastic_draw_key(d.seed), stride = d.stride;
  const StochasticGrid round(g);
  const float scale = s.scale, inv = s.inv;
  float u[kChunk];
  for (std::size_t b = 0; b < n; b += kChunk) {
    const std::size_t m = std::min(kChunk, n - b);
    const float* xb = x + b;
    if (any_nonfinite(m, [&](std::size_t i) { return Pow2 ? xb[i] * inv : xb[i] / scale; })) {
      round_chunk_by_reference(x, out, b, m, g, s, Rounding::Stochastic, d);
      continue;
    }
    const std::uint64_t i0 = d.index0 + b * stride;
    for (std::size_t i = 0; i < m; ++i) u[i] = stochastic_draw(key, i0 + i * stride);
#pragma GCC ivdep
    for (std::size_t i = 0; i < m; ++i)
      out[b + i] = round(Pow2 ? xb[i] * inv : xb[i] / scale, u[i]) * scale;
  }
}

}  // namespace

Grid float_grid(const FloatFormat& f, bool saturate) {
  Grid g;
  g.emin = f.emin();
  g.mbits = f.mbits;
  g.max = static_cast<float>(f.max_value());
  const bool clamps = saturate || !f.has_nan();
  g.overflow = clamps ? Overflow::Saturate : f.has_inf() ? Overflow::Infinity : Overflow::NaN;
  // Without saturation, clamping at 2*max still overflows but keeps exponents bounded.
  const double bound = clamps ? f.max_value() : 2.0 * f.max_value();
  g.hi = bound > std::numeric_limits<float>::max() ? std::numeric_limits<float>::infinity()
                                                   : static_cast<float>(bound);
  g.lo = -g.hi;
  decide_fast(g);
  return g;
}

Grid fixed_grid(int quantum_exp, float lo, float hi) {
  Grid g;
  g.lo = lo, g.hi = hi;
  g.max = std::max(-lo, hi);
  g.emin = g.max > 0 ? floor_log2(g.max) : quantum_exp;
  g.emin = std::max(g.emin, quantum_exp);
  g.mbits = g.emin - quantum_exp;
  g.overflow = Overflow::Saturate;
  decide_fast(g);
  return g;
}

void stochastic_draws(std::uint64_t seed, std::uint64_t index0, std::size_t n, float* u) {
  const std::uint64_t key = stochastic_draw_key(seed);
  for (std::size_t i = 0; i < n; ++i) u[i] = stochastic_draw(key, index0 + i);
}

double round_to_grid(double v, const Grid& g, Rounding mode, double u) {
  if (std::isnan(v)) return v;
  const bool neg = std::signbit(v);
  double a = std::fabs(v);
  double r;
  if (std::isinf(a) && g.overflow != Overflow::Saturate) {
    r = overflow_value(g);
  } else {
    a = std::min(a, neg ? -double(g.lo) : double(g.hi));
    if (a == 0) {
      r = 0;
    } else {
      int e;
      std::frexp(a, &e);  // a = f * 2^e, f in [0.5, 1): floor(log2 a) = e - 1
      const double q = std::ldexp(1.0, std::max(e - 1, g.emin) - g.mbits);
      r = round_units(a / q, mode, u) * q;
      // IEEE: truncation never overflows, it stops at the largest finite value.
      if (r > g.max) r = mode == Rounding::TowardZero ? double(g.max) : overflow_value(g);
    }
  }
  return neg ? -r : r;
}

void round_span_general(const float* x, float* out, std::size_t n, const Grid& g,
                        const SpanScale& s, Rounding mode, const Draws& d, bool finite) {
  if (mode == Rounding::NearestEven && g.fast) {
    const FastGrid fast(g);
    if (finite) return round_span_fast(x, out, n, fast, s);
    for (std::size_t b = 0; b < n; b += kChunk) {
      const std::size_t m = std::min(kChunk, n - b);
      if (any_nonfinite(m, [&](std::size_t i) { return x[b + i]; }))
        round_chunk_by_reference(x, out, b, m, g, s, mode, d);
      else
        round_span_fast(x + b, out + b, m, fast, s);
    }
    return;
  }
  if (mode == Rounding::Stochastic && stochastic_f32_exact(g))
    return s.pow2 ? round_span_stochastic_f32<true>(x, out, n, g, s, d)
                  : round_span_stochastic_f32<false>(x, out, n, g, s, d);
  if (mode == Rounding::Stochastic && stochastic_fast(g))
    return s.pow2 ? round_span_stochastic<true>(x, out, n, g, s, d)
                  : round_span_stochastic<false>(x, out, n, g, s, d);
  for (std::size_t i = 0; i < n; ++i) out[i] = round_one(x[i], g, s, mode, d, i);
}

}  // namespace interplay
