#pragma once
// Slow, obviously-correct references for the sparsifier tests: full sorts
// over explicit index lists, written independently of the plugins' selection
// code (no histograms, no SIMD, no key encoding).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <random>
#include <vector>

#include "core/tensor.hpp"

namespace interplay::test {

// True when element a must be kept before element b: larger |x| first
// (NaN above everything, NaNs equal), then the lower index.
inline bool keeps_first(float xa, std::size_t a, float xb, std::size_t b) {
  const bool na = std::isnan(xa), nb = std::isnan(xb);
  if (na != nb) return na;
  if (!na && std::fabs(xa) != std::fabs(xb)) return std::fabs(xa) > std::fabs(xb);
  return a < b;
}

// Marks the `kept` highest-ranked of the listed flat indices in `keep`.
inline void keep_top(const std::vector<float>& x, std::vector<std::size_t> idx, std::size_t kept,
                     std::vector<std::uint8_t>& keep) {
  std::sort(idx.begin(), idx.end(),
            [&](std::size_t a, std::size_t b) { return keeps_first(x[a], a, x[b], b); });
  for (std::size_t r = 0; r < idx.size(); ++r) keep[idx[r]] = r < kept;
}

// Flat indices of every lane along `axis` (rank >= 1), lane by lane.
inline std::vector<std::vector<std::size_t>> lanes_of(const Shape& shape, int axis) {
  const AxisLayout L = axis_layout(shape, axis);
  std::vector<std::vector<std::size_t>> lanes;
  for (std::size_t o = 0; o < L.outer; ++o)
    for (std::size_t i = 0; i < L.inner; ++i) {
      std::vector<std::size_t> lane;
      for (std::size_t k = 0; k < L.len; ++k) lane.push_back((o * L.len + k) * L.inner + i);
      lanes.push_back(lane);
    }
  return lanes;
}

// N:M reference: groups of m along each lane, a ragged tail keeps min(n, r).
inline std::vector<std::uint8_t> reference_nm(const Tensor& x, std::size_t n, std::size_t m,
                                              int axis) {
  std::vector<std::uint8_t> keep(x.size(), 0);
  for (const auto& lane : lanes_of(x.shape, axis))
    for (std::size_t g = 0; g < lane.size(); g += m) {
      std::vector<std::size_t> group(lane.begin() + std::ptrdiff_t(g),
                                     lane.begin() + std::ptrdiff_t(std::min(lane.size(), g + m)));
      const std::size_t kept = std::min(n, group.size());
      keep_top(x.data, group, kept, keep);
    }
  return keep;
}

// Magnitude reference: one group (tensor) or one per lane (row).
inline std::vector<std::uint8_t> reference_magnitude(const Tensor& x, double fraction, bool per_row,
                                                     int axis) {
  std::vector<std::uint8_t> keep(x.size(), 0);
  std::vector<std::vector<std::size_t>> groups;
  if (per_row) {
    groups = lanes_of(x.shape, axis);
  } else {
    groups.emplace_back(x.size());
    std::iota(groups[0].begin(), groups[0].end(), std::size_t(0));
  }
  for (const auto& g : groups) {
    const std::size_t pruned = std::size_t(std::floor(double(g.size()) * fraction));
    keep_top(x.data, g, g.size() - pruned, keep);
  }
  return keep;
}

// Values drawn from a small set so that ties are everywhere, with signs and
// signed zeros; `nan_every` > 0 sprinkles NaNs.
inline Tensor tie_heavy(Shape shape, unsigned seed, std::size_t nan_every = 0) {
  Tensor t(std::move(shape));
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> level(-4, 4);
  for (std::size_t i = 0; i < t.size(); ++i) {
    const int l = level(rng);
    t.data[i] = l == 0 ? ((rng() & 1) ? -0.0f : 0.0f) : 0.25f * float(l);
    if (nan_every && i % nan_every == nan_every - 1) t.data[i] = std::nanf("");
  }
  return t;
}

// Continuous values (no ties, no zeros, both signs).
inline Tensor gaussian(Shape shape, unsigned seed) {
  Tensor t(std::move(shape));
  std::mt19937 rng(seed);
  std::normal_distribution<float> d;
  for (auto& v : t.data) {
    do v = d(rng);
    while (v == 0.0f);
  }
  return t;
}

// The sparsify() output implied by a keep mask.
inline std::vector<float> apply_mask(const Tensor& x, const std::vector<std::uint8_t>& keep) {
  std::vector<float> y(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) y[i] = keep[i] ? x.data[i] : 0.0f;
  return y;
}

}  // namespace interplay::test
