#pragma once
// Tensors to check the statements on: synthetic distributions, small
// integer-grid (dyadic) tensors, exhaustive enumeration of tiny tensors, crops
// of real weights, activation vectors and a correlated covariance. Tensors
// built to create rounding ties for a given quantizer live in moves.hpp (they
// need the quantizer itself).
#include <string>
#include <vector>

#include "core/tensor.hpp"
#include "proofs_check/random.hpp"

namespace interplay::proofs {

enum class Distribution {
  Gaussian,  // N(0, 1) times a random power-of-two-ish range factor
  Laplace,   // heavier tails, as trained weights
  Uniform,
  StudentT,  // t with 3 degrees of freedom: rare large values
  Outliers,  // Gaussian with 1% of the elements 20x larger (LLM-like outlier features)
  Dyadic,    // small integers times 2^-j: exact grid points and exact midpoints
};
const std::vector<Distribution>& all_distributions();
const char* distribution_name(Distribution d);

Tensor generate(Distribution d, const Shape& shape, Draw& draw);

// Activation vector for the dot-product statement (standard normal).
std::vector<float> activations(std::size_t n, Draw& draw);

// C = X^T X / m for X [m, dim] drawn from a factor model (few shared factors
// plus small noise): strongly correlated input features, as real layer inputs.
std::vector<double> correlated_covariance(std::size_t dim, std::uint64_t seed);

// All tensors of `shape` (tiny shapes) with magnitudes k * step, k in [0, K],
// and alternating signs (+, -, +, ...): (K+1)^numel tensors, enumerated by
// index (mixed radix). Symmetric quantizers are odd, so the fixed sign
// pattern loses nothing for them and still exercises asymmetric ones.
struct Enumeration {
  Shape shape;
  int K = 2;
  float step = 1.0f;
  std::size_t count() const;
  Tensor at(std::size_t index) const;
};

// Real weights: random crops of a 2-D matrix of the requested shape.
struct WeightSource {
  std::string name;
  Tensor weights;  // [rows, cols]
  bool empty() const { return weights.size() == 0; }
  Tensor crop(const Shape& shape, Draw& draw) const;
};

}  // namespace interplay::proofs
