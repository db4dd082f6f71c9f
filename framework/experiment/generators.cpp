#include "experiment/generators.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <utility>

#include "core/error.hpp"
#include "core/rng.hpp"

namespace interplay::experiment {
namespace {

// Stream ids: one per use, so draws for different purposes never coincide.
constexpr std::uint64_t kNormalRadius = 1, kNormalAngle = 2, kLaplace = 3, kUniform = 4;
constexpr std::uint64_t kOutlierPosition = 10, kOutlierMagnitude = 11, kOutlierSign = 12;
constexpr std::uint64_t kHouseholder = 20, kActivationBase = 30;
constexpr std::uint64_t kGammaBase = 1000;  // + 4 * attempt + {0..3}

constexpr double kTwoPi = 6.283185307179586476925286766559;

// Box-Muller on two independent streams; 1 - u lies in (0, 1], so log is finite.
double normal01(std::uint64_t seed, std::uint64_t radius_stream, std::uint64_t angle_stream,
                std::uint64_t i) {
  const double u1 = 1.0 - uniform53(seed, radius_stream, i);
  const double u2 = uniform53(seed, angle_stream, i);
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(kTwoPi * u2);
}

// Marsaglia-Tsang Gamma(shape, 1); attempts use fresh streams, so element i
// still depends only on (seed, i). Shape < 1 is boosted: G(a) = G(a+1) U^(1/a).
double gamma_sample(double shape, std::uint64_t seed, std::uint64_t i) {
  const bool boost = shape < 1.0;
  const double a = boost ? shape + 1.0 : shape;
  const double d = a - 1.0 / 3.0, c = 1.0 / std::sqrt(9.0 * d);
  for (std::uint64_t attempt = 0;; ++attempt) {
    const std::uint64_t s = kGammaBase + 4 * attempt;
    const double x = normal01(seed, s, s + 1, i);
    const double t = 1.0 + c * x;
    if (t <= 0.0) continue;
    const double v = t * t * t;
    const double u = 1.0 - uniform53(seed, s + 2, i);
    if (std::log(u) < 0.5 * x * x + d - d * v + d * std::log(v)) {
      double g = d * v;
      if (boost) g *= std::pow(1.0 - uniform53(seed, s + 3, i), 1.0 / shape);
      return g;
    }
  }
}

}  // namespace

const std::vector<std::string>& distribution_names() {
  static const std::vector<std::string> names{"normal", "laplace", "student_t", "uniform"};
  return names;
}

const std::vector<ParamSpec>& distribution_params(const std::string& name) {
  static const std::map<std::string, std::vector<ParamSpec>> specs{
      {"normal",
       {ParamSpec::real("mean", 0.0, -1e30, 1e30, "mean"),
        ParamSpec::real("std", 1.0, 0.0, 1e30, "standard deviation")}},
      {"laplace",
       {ParamSpec::real("loc", 0.0, -1e30, 1e30, "location (mean)"),
        ParamSpec::real("scale", 1.0, 0.0, 1e30, "scale b (std = sqrt(2) b)")}},
      {"student_t",
       {ParamSpec::real("df", 3.0, 0.1, 1e6, "degrees of freedom"),
        ParamSpec::real("scale", 1.0, 0.0, 1e30, "multiplies the standard t variate")}},
      {"uniform",
       {ParamSpec::real("low", -1.0, -1e30, 1e30, "lower bound"),
        ParamSpec::real("high", 1.0, -1e30, 1e30, "upper bound")}},
  };
  auto it = specs.find(name);
  if (it == specs.end()) throw Error("internal: unknown distribution '" + name + "'");
  return it->second;
}

void sample_distribution(const std::string& dist, const Params& p, std::uint64_t seed, float* out,
                         std::size_t n) {
  const std::int64_t count = std::int64_t(n);
  if (dist == "normal") {
    const double mean = p.real("mean"), sd = p.real("std");
#pragma omp parallel for schedule(static)
    for (std::int64_t i = 0; i < count; ++i)
      out[i] = float(mean + sd * normal01(seed, kNormalRadius, kNormalAngle, std::uint64_t(i)));
  } else if (dist == "laplace") {
    const double loc = p.real("loc"), b = p.real("scale");
#pragma omp parallel for schedule(static)
    for (std::int64_t i = 0; i < count; ++i) {
      const double u = uniform53(seed, kLaplace, std::uint64_t(i)) - 0.5;  // [-0.5, 0.5)
      const double mag = -b * std::log(1.0 - 2.0 * std::fabs(u));
      out[i] = float(u < 0 ? loc - mag : loc + mag);
    }
  } else if (dist == "student_t") {
    const double df = p.real("df"), scale = p.real("scale");
#pragma omp parallel for schedule(static)
    for (std::int64_t i = 0; i < count; ++i) {
      const double z = normal01(seed, kNormalRadius, kNormalAngle, std::uint64_t(i));
      const double chi2 = 2.0 * gamma_sample(0.5 * df, seed, std::uint64_t(i));
      out[i] = float(scale * z / std::sqrt(chi2 / df));
    }
  } else if (dist == "uniform") {
    const double lo = p.real("low"), hi = p.real("high");
#pragma omp parallel for schedule(static)
    for (std::int64_t i = 0; i < count; ++i)
      out[i] = float(lo + (hi - lo) * uniform53(seed, kUniform, std::uint64_t(i)));
  } else {
    throw Error("internal: unknown distribution '" + dist + "'");
  }
}

void inject_outliers(const Outliers& o, std::uint64_t seed, float* data, std::size_t n) {
  const std::size_t k = std::min<std::size_t>(n, std::size_t(std::llround(o.fraction * double(n))));
  if (k == 0) return;
  // The k smallest position hashes (ties by index) are a uniform k-subset.
  std::vector<std::pair<std::uint64_t, std::size_t>> order(n);
  for (std::size_t i = 0; i < n; ++i) order[i] = {counter_hash(seed, kOutlierPosition, i), i};
  std::nth_element(order.begin(), order.begin() + std::ptrdiff_t(k - 1), order.end());
  for (std::size_t j = 0; j < k; ++j) {
    const std::size_t i = order[j].second;
    const double mag =
        o.magnitude_lo + (o.magnitude_hi - o.magnitude_lo) * uniform53(seed, kOutlierMagnitude, i);
    const bool negative = counter_hash(seed, kOutlierSign, i) >> 63;
    data[i] = float(negative ? -mag : mag);
  }
}

std::vector<double> spectrum_values(const Spectrum& s, std::size_t dim) {
  std::vector<double> lambda(dim, 1.0);
  for (std::size_t k = 0; k < dim; ++k) {
    if (s.kind == "power")
      lambda[k] = std::pow(double(k + 1), -s.alpha);
    else if (s.kind == "exponential")
      lambda[k] = std::exp(-s.rate * double(k) / double(dim));
  }
  double mean = 0.0;
  for (double l : lambda) mean += l;
  mean /= double(dim);
  for (double& l : lambda) l /= mean;
  return lambda;
}

Tensor correlated_activations(std::size_t rows, std::size_t dim, const Spectrum& s,
                              std::uint64_t seed) {
  const std::vector<double> lambda = spectrum_values(s, dim);
  // Householder vectors v_j (zero before j): Q = H_0 H_1 ... H_{dim-2} is Haar.
  std::vector<double> v(dim * dim, 0.0), vnorm2(dim, 0.0);
  for (std::size_t j = 0; j + 1 < dim; ++j) {
    for (std::size_t c = j; c < dim; ++c) {
      const double g = normal01(seed, kHouseholder, kHouseholder + 1, j * dim + c);
      v[j * dim + c] = g;
      vnorm2[j] += g * g;
    }
  }
  Tensor x({rows, dim});
  const std::int64_t nrows = std::int64_t(rows);
#pragma omp parallel
  {
    std::vector<double> row(dim);
#pragma omp for schedule(static)
    for (std::int64_t r = 0; r < nrows; ++r) {
      for (std::size_t c = 0; c < dim; ++c)
        row[c] = std::sqrt(lambda[c]) *
                 normal01(seed, kActivationBase, kActivationBase + 1, std::uint64_t(r) * dim + c);
      // row <- row H_0 ... H_{dim-2}; each H is symmetric, so x H = x - 2 (x.v / v.v) v.
      for (std::size_t j = 0; j + 1 < dim; ++j) {
        if (vnorm2[j] == 0.0) continue;
        const double* vj = &v[j * dim];
        double dot = 0.0;
        for (std::size_t c = j; c < dim; ++c) dot += row[c] * vj[c];
        const double f = 2.0 * dot / vnorm2[j];
        for (std::size_t c = j; c < dim; ++c) row[c] -= f * vj[c];
      }
      for (std::size_t c = 0; c < dim; ++c) x.data[std::size_t(r) * dim + c] = float(row[c]);
    }
  }
  return x;
}

}  // namespace interplay::experiment
