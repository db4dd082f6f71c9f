#pragma once
// Small helpers shared by the tests: build plugins from JSON, run them.
#include <cmath>
#include <string>
#include <vector>

#include "core/registry.hpp"
#include "core/tensor.hpp"

namespace interplay::test {

inline Tensor vec(std::vector<float> v) {
  const std::size_t n = v.size();
  return Tensor({n}, std::move(v));
}

// Quantizes with a step given as JSON text, e.g. R"({"quantizer":"mxfp4"})".
inline Tensor quantize(const std::string& step, const Tensor& x) {
  auto b = quantizers().build(json::parse(step), "quantizer", "test");
  Tensor y;
  b.object->quantize(x, y);
  return y;
}

inline Tensor sparsify(const std::string& step, const Tensor& x) {
  auto b = sparsifiers().build(json::parse(step), "sparsifier", "test");
  Tensor y;
  b.object->sparsify(x, y);
  return y;
}

// Bitwise equality, so -0 vs +0 and NaN payload-free NaN == NaN are exact.
inline bool same_bits(float a, float b) {
  if (std::isnan(a) && std::isnan(b)) return true;
  return std::signbit(a) == std::signbit(b) && a == b;
}

}  // namespace interplay::test
