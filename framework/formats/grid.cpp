#include "formats/grid.hpp"

#include <algorithm>

namespace interplay {

namespace {

constexpr std::uint64_t kRoundingStream = 0x5eedu;

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
    round_span_fast(x, out, n, FastGrid(g), s);
    if (finite) return;
    for (std::size_t i = 0; i < n; ++i)
      if (!std::isfinite(x[i])) {
        const float v = s.pow2 ? x[i] * s.inv : x[i] / s.scale;
        out[i] = static_cast<float>(round_to_grid(v, g, mode, 0.0)) * s.scale;
      }
    return;
  }
  for (std::size_t i = 0; i < n; ++i) {
    const float v = s.pow2 ? x[i] * s.inv : x[i] / s.scale;
    const double u = mode == Rounding::Stochastic
                         ? double(uniform24(d.seed, kRoundingStream, d.index0 + i * d.stride))
                         : 0.0;
    out[i] = static_cast<float>(round_to_grid(v, g, mode, u)) * s.scale;
  }
}

}  // namespace interplay
