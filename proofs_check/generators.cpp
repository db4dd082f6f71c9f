#include "proofs_check/generators.hpp"

#include <algorithm>
#include <cmath>

#include "core/error.hpp"

namespace interplay::proofs {

const std::vector<Distribution>& all_distributions() {
  static const std::vector<Distribution> k{Distribution::Gaussian, Distribution::Laplace,
                                           Distribution::Uniform,  Distribution::StudentT,
                                           Distribution::Outliers, Distribution::Dyadic};
  return k;
}

const char* distribution_name(Distribution d) {
  switch (d) {
    case Distribution::Gaussian:
      return "gaussian";
    case Distribution::Laplace:
      return "laplace";
    case Distribution::Uniform:
      return "uniform";
    case Distribution::StudentT:
      return "student_t3";
    case Distribution::Outliers:
      return "outliers";
    case Distribution::Dyadic:
      return "dyadic";
  }
  return "?";
}

Tensor generate(Distribution d, const Shape& shape, Draw& draw) {
  Tensor t(shape);
  // A random range (2^-4 .. 2^4) exercises the absolute grid of unscaled
  // formats (subnormals, saturation); scaled quantizers are invariant to it.
  const double range = std::exp2(8.0 * draw.uniform() - 4.0);
  const int dyadic_bits = 2 + int(draw.below(3)), dyadic_shift = int(draw.below(7));
  for (auto& v : t.data) {
    double x = 0;
    switch (d) {
      case Distribution::Gaussian:
        x = draw.gaussian();
        break;
      case Distribution::Laplace: {
        const double u = draw.uniform() - 0.5;
        x = (u < 0 ? 1 : -1) * std::log(1 - 2 * std::fabs(u));
        break;
      }
      case Distribution::Uniform:
        x = 2 * draw.uniform() - 1;
        break;
      case Distribution::StudentT: {
        const double z = draw.gaussian();
        double chi2 = 0;
        for (int k = 0; k < 3; ++k) chi2 += std::pow(draw.gaussian(), 2);
        x = z / std::sqrt(chi2 / 3 + 1e-300);
        break;
      }
      case Distribution::Outliers:
        x = draw.gaussian() * (draw.below(100) == 0 ? 20 : 1);
        break;
      case Distribution::Dyadic: {
        const std::int64_t K = (std::int64_t(1) << dyadic_bits) - 1;
        x = std::ldexp(double(std::int64_t(draw.below(2 * K + 1)) - K), -dyadic_shift);
        break;
      }
    }
    v = static_cast<float>(d == Distribution::Dyadic ? x : x * range);
  }
  return t;
}

std::vector<float> activations(std::size_t n, Draw& draw) {
  std::vector<float> a(n);
  for (auto& v : a) v = static_cast<float>(draw.gaussian());
  return a;
}

std::vector<double> correlated_covariance(std::size_t dim, std::uint64_t seed) {
  const std::size_t m = 4 * dim + 16, factors = std::max<std::size_t>(2, dim / 8);
  Draw draw(seed, stream_id(0xC0FA, dim));
  std::vector<double> load(factors * dim), x(m * dim);
  for (auto& v : load) v = draw.gaussian();
  for (std::size_t t = 0; t < m; ++t) {
    std::vector<double> z(factors);
    for (auto& v : z) v = draw.gaussian();
    for (std::size_t j = 0; j < dim; ++j) {
      double s = 0.1 * draw.gaussian();
      for (std::size_t f = 0; f < factors; ++f) s += z[f] * load[f * dim + j];
      // Float inputs, as a real layer's activations would be.
      x[t * dim + j] = double(static_cast<float>(s));
    }
  }
  std::vector<double> c(dim * dim, 0.0);
  for (std::size_t t = 0; t < m; ++t)
    for (std::size_t j = 0; j < dim; ++j)
      for (std::size_t k = 0; k < dim; ++k) c[j * dim + k] += x[t * dim + j] * x[t * dim + k];
  for (auto& v : c) v /= double(m);
  return c;
}

std::size_t Enumeration::count() const {
  std::size_t c = 1;
  for (std::size_t i = 0; i < numel(shape); ++i) c *= std::size_t(K + 1);
  return c;
}

Tensor Enumeration::at(std::size_t index) const {
  Tensor t(shape);
  for (std::size_t i = 0; i < t.size(); ++i) {
    const std::size_t digit = index % std::size_t(K + 1);
    index /= std::size_t(K + 1);
    t.data[i] = float(digit) * (i % 2 ? -step : step);
  }
  return t;
}

Tensor WeightSource::crop(const Shape& shape, Draw& draw) const {
  if (weights.rank() != 2 || shape.size() != 2)
    throw Error(at(name, "weights for the checks must be a 2-D matrix"));
  const std::size_t R = weights.shape[0], C = weights.shape[1];
  const std::size_t r = std::min(shape[0], R), c = std::min(shape[1], C);
  // Column windows start at multiples of the window so real block alignment is kept.
  const std::size_t r0 = draw.below(R - r + 1), windows = C / c;
  const std::size_t c0 = c * draw.below(windows ? windows : 1);
  Tensor t(Shape{r, c});
  for (std::size_t i = 0; i < r; ++i)
    for (std::size_t j = 0; j < c; ++j) t.data[i * c + j] = weights.data[(r0 + i) * C + c0 + j];
  return t;
}

}  // namespace interplay::proofs
