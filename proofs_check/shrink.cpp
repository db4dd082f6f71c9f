#include "proofs_check/shrink.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace interplay::proofs {
namespace {

class Shrinker {
 public:
  Shrinker(const ShrinkOptions& o, const StillFails& f) : options_(o), fails_(f) {}

  bool exhausted() const { return evaluations_ >= options_.max_evaluations; }
  std::size_t evaluations() const { return evaluations_; }

  bool accept(Sample& current, Sample candidate) {
    if (exhausted()) return false;
    ++evaluations_;
    if (!fails_(candidate)) return false;
    current = std::move(candidate);
    return true;
  }

  std::size_t unit(const Sample& s, std::size_t axis) const {
    std::size_t u = 1;
    const std::size_t len = s.x.shape[axis];
    if (axis < options_.periods.size())
      for (std::size_t p : options_.periods[axis])
        if (p > 1 && p < len) u = std::lcm(u, p);
    return u;
  }

  // Delete aligned chunks along every axis, largest first (delta debugging).
  bool delete_chunks(Sample& s) {
    bool changed = false;
    for (std::size_t axis = 0; axis < s.x.rank(); ++axis) {
      for (;;) {
        const std::size_t len = s.x.shape[axis], u = unit(s, axis);
        if (len <= u) break;
        bool progress = false;
        for (std::size_t chunk = std::max(u, (len / 2 / u) * u); chunk >= u && !progress;
             chunk = (chunk / 2 / u) * u) {
          for (std::size_t start = 0; start + chunk <= len && !progress; start += chunk)
            progress = accept(s, erase_along(s, axis, start, chunk));
        }
        if (!progress) break;
        changed = true;
      }
    }
    return changed;
  }

  // Drop trailing positions one at a time (a shorter, ragged last group/block).
  bool trim_tails(Sample& s) {
    bool changed = false;
    for (std::size_t axis = 0; axis < s.x.rank(); ++axis)
      while (s.x.shape[axis] > 1 && accept(s, erase_along(s, axis, s.x.shape[axis] - 1, 1)))
        changed = true;
    return changed;
  }

  // Each value to the simplest one that still fails: 0, then the fewest significant bits.
  bool simplify_values(Sample& s, std::vector<float> Sample::*field, bool tensor) {
    bool changed = false;
    const std::size_t n = tensor ? s.x.size() : (s.*field).size();
    for (std::size_t i = 0; i < n && !exhausted(); ++i) {
      const auto value_of = [&](const Sample& t) { return tensor ? t.x.data[i] : (t.*field)[i]; };
      const float v = value_of(s);
      if (v == 0) continue;
      const auto with = [&](float nv) {
        Sample c = s;
        (tensor ? c.x.data[i] : (c.*field)[i]) = nv;
        return c;
      };
      if (tensor && accept(s, with(0.0f))) {
        changed = true;
        continue;
      }
      for (int bits : {1, 2, 3, 4, 6, 8, 12, 16}) {
        const float nv = with_significant_bits(v, bits);
        if (nv == v) break;  // already this simple
        if (accept(s, with(nv))) {
          changed = true;
          break;
        }
      }
      if (std::signbit(value_of(s)) && accept(s, with(-value_of(s)))) changed = true;
    }
    return changed;
  }

  // Scale the tensor by a power of two so its values become small integers.
  bool rescale(Sample& s) {
    int frac_bits = -1000;
    for (float v : s.x.data) {
      if (v == 0) continue;
      int e;
      const double m = std::frexp(double(v), &e);  // v = m 2^e, 0.5 <= |m| < 1
      int sig = 0;
      for (double f = std::fabs(m); f != 0; f = f * 2 - std::floor(f * 2)) ++sig;
      frac_bits = std::max(frac_bits, sig - e);  // bits below the binary point
    }
    if (frac_bits == -1000 || frac_bits == 0) return false;
    Sample c = s;
    for (auto& v : c.x.data) v = std::ldexp(v, frac_bits);
    return accept(s, std::move(c));
  }

 private:
  const ShrinkOptions& options_;
  const StillFails& fails_;
  std::size_t evaluations_ = 0;
};

}  // namespace

Sample erase_along(const Sample& s, std::size_t axis, std::size_t start, std::size_t count) {
  const AxisLayout L = axis_layout(s.x.shape, int(axis));
  Sample out;
  out.x.shape = s.x.shape;
  out.x.shape[axis] -= count;
  out.x.data.reserve(numel(out.x.shape));
  for (std::size_t o = 0; o < L.outer; ++o)
    for (std::size_t k = 0; k < L.len; ++k) {
      if (k >= start && k < start + count) continue;
      const float* row = s.x.data.data() + (o * L.len + k) * L.inner;
      out.x.data.insert(out.x.data.end(), row, row + L.inner);
    }
  out.act = s.act;
  out.features = s.features;
  if (axis + 1 == s.x.rank()) {  // the last axis indexes activations and covariance rows
    if (out.act.size() == L.len)
      out.act.erase(out.act.begin() + start, out.act.begin() + start + count);
    if (out.features.size() == L.len)
      out.features.erase(out.features.begin() + start, out.features.begin() + start + count);
  }
  return out;
}

float with_significant_bits(float v, int bits) {
  if (v == 0 || !std::isfinite(v)) return v;
  int e;
  std::frexp(v, &e);
  const double step = std::ldexp(1.0, e - bits);
  return static_cast<float>(std::nearbyint(double(v) / step) * step);
}

ShrinkResult shrink(Sample failing, const ShrinkOptions& options, const StillFails& still_fails) {
  Shrinker k(options, still_fails);
  Sample s = std::move(failing);
  bool changed = true;
  while (changed && !k.exhausted()) {
    changed = k.delete_chunks(s);
    changed |= k.simplify_values(s, nullptr, true);
    changed |= k.trim_tails(s);
    changed |= k.rescale(s);
    changed |= k.simplify_values(s, &Sample::act, false);
  }
  return {std::move(s), k.evaluations(), k.exhausted()};
}

}  // namespace interplay::proofs
