#pragma once
// Seeded synthetic tensors for experiments. Every element is a pure function
// of (seed, flat index) through the counter-based RNG (core/rng.hpp), so a
// tensor is identical for any thread count and any generation order.
#include <cstdint>
#include <string>
#include <vector>

#include "core/params.hpp"
#include "core/tensor.hpp"

namespace interplay::experiment {

// i.i.d. element distributions: normal(mean, std), laplace(loc, scale),
// student_t(df, scale), uniform(low, high).
const std::vector<std::string>& distribution_names();
const std::vector<ParamSpec>& distribution_params(const std::string& name);

// Fills out[0..n) with samples of `dist` (parameters already validated).
void sample_distribution(const std::string& dist, const Params& params, std::uint64_t seed,
                         float* out, std::size_t n);

// Replaces round(fraction * n) elements, chosen uniformly without replacement,
// by +-U(magnitude_lo, magnitude_hi) with a random sign.
struct Outliers {
  double fraction = 0.0;
  double magnitude_lo = 0.0, magnitude_hi = 0.0;
};
void inject_outliers(const Outliers& o, std::uint64_t seed, float* data, std::size_t n);

// Activations with covariance C = Q^T diag(lambda) Q: X = Z diag(sqrt(lambda)) Q
// with Z standard normal [rows, dim] and Q a seeded Haar-random orthogonal
// matrix (a product of dim - 1 Householder reflections, applied row by row).
// lambda_k = (k+1)^-alpha ("power"), exp(-rate k / dim) ("exponential") or 1
// ("flat"), normalised to mean 1 so trace(C) = dim as for white noise.
struct Spectrum {
  std::string kind = "power";
  double alpha = 1.0;
  double rate = 5.0;
};
std::vector<double> spectrum_values(const Spectrum& s, std::size_t dim);
Tensor correlated_activations(std::size_t rows, std::size_t dim, const Spectrum& s,
                              std::uint64_t seed);

}  // namespace interplay::experiment
