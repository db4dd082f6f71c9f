// Synthetic generators: deterministic by (seed, index), thread-count free,
// with the documented moments, exact outlier counts, and the requested
// covariance spectrum for correlated activations.
#include <omp.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>

#include "experiment/generators.hpp"

using namespace interplay;
using namespace interplay::experiment;

namespace {

std::vector<float> draw(const std::string& dist, const json& given, std::uint64_t seed,
                        std::size_t n) {
  const Params p = validate_params(distribution_params(dist), given, dist);
  std::vector<float> v(n);
  sample_distribution(dist, p, seed, v.data(), n);
  return v;
}

struct Moments {
  double mean = 0, var = 0;
};

Moments moments(const std::vector<float>& v) {
  Moments m;
  for (float x : v) m.mean += x;
  m.mean /= double(v.size());
  for (float x : v) m.var += (x - m.mean) * (x - m.mean);
  m.var /= double(v.size());
  return m;
}

}  // namespace

TEST_CASE("generators: moments of each distribution", "[experiment]") {
  const std::size_t n = 200000;
  auto m = moments(draw("normal", {{"mean", 1.0}, {"std", 2.0}}, 1, n));
  CHECK(m.mean == Approx(1.0).margin(0.03));
  CHECK(m.var == Approx(4.0).epsilon(0.02));
  m = moments(draw("laplace", {{"scale", 0.5}}, 2, n));
  CHECK(m.mean == Approx(0.0).margin(0.01));
  CHECK(m.var == Approx(2 * 0.25).epsilon(0.03));
  m = moments(draw("student_t", {{"df", 6.0}}, 3, n));
  CHECK(m.mean == Approx(0.0).margin(0.02));
  CHECK(m.var == Approx(6.0 / 4.0).epsilon(0.05));
  m = moments(draw("student_t", {{"df", 0.8}, {"scale", 1.0}}, 3, 1000));  // shape < 1 path runs
  const auto u = draw("uniform", {{"low", -2.0}, {"high", 4.0}}, 4, n);
  CHECK(std::all_of(u.begin(), u.end(), [](float x) { return x >= -2.0f && x < 4.0f; }));
  m = moments(u);
  CHECK(m.mean == Approx(1.0).margin(0.02));
  CHECK(m.var == Approx(36.0 / 12.0).epsilon(0.02));
}

TEST_CASE("generators: element i depends only on (seed, i), for any thread count", "[experiment]") {
  for (const auto& dist : distribution_names()) {
    const auto a = draw(dist, json::object(), 7, 5000);
    const int saved = omp_get_max_threads();
    omp_set_num_threads(1);
    const auto b = draw(dist, json::object(), 7, 5000);
    omp_set_num_threads(saved);
    const auto prefix = draw(dist, json::object(), 7, 100);
    const auto other = draw(dist, json::object(), 8, 5000);
    CHECK(a == b);
    CHECK(std::equal(prefix.begin(), prefix.end(), a.begin()));
    CHECK(a != other);
  }
}

TEST_CASE("generators: outliers replace an exact count with magnitudes in range", "[experiment]") {
  std::vector<float> v(10000, 0.0f);
  inject_outliers({0.0025, 20.0, 50.0}, 11, v.data(), v.size());
  std::size_t count = 0, negative = 0;
  for (float x : v)
    if (x != 0.0f) {
      ++count;
      negative += x < 0;
      CHECK(std::fabs(x) >= 20.0f);
      CHECK(std::fabs(x) <= 50.0f);
    }
  CHECK(count == 25);
  CHECK(negative > 0);
  CHECK(negative < 25);
  std::vector<float> w(10000, 0.0f);
  inject_outliers({0.0025, 20.0, 50.0}, 11, w.data(), w.size());
  CHECK(v == w);
}

TEST_CASE("correlated activations have covariance Q^T diag(lambda) Q", "[experiment]") {
  const std::size_t dim = 8, rows = 40000;
  Spectrum s;
  s.kind = "power", s.alpha = 1.0;
  const auto lambda = spectrum_values(s, dim);
  double mean = 0;
  for (double l : lambda) mean += l;
  CHECK(mean / dim == Approx(1.0));
  CHECK(lambda[0] / lambda[3] == Approx(4.0));
  const Tensor x = correlated_activations(rows, dim, s, 5);
  // Empirical covariance; its trace and Frobenius norm are rotation invariant.
  std::vector<double> c(dim * dim, 0.0);
  for (std::size_t r = 0; r < rows; ++r)
    for (std::size_t i = 0; i < dim; ++i)
      for (std::size_t j = 0; j < dim; ++j)
        c[i * dim + j] += double(x.data[r * dim + i]) * x.data[r * dim + j];
  double trace = 0, fro2 = 0, want_fro2 = 0, offdiag = 0;
  for (std::size_t i = 0; i < dim; ++i) trace += c[i * dim + i] / rows;
  for (std::size_t k = 0; k < dim * dim; ++k) fro2 += (c[k] / rows) * (c[k] / rows);
  for (double l : lambda) want_fro2 += l * l;
  for (std::size_t i = 0; i < dim; ++i)
    for (std::size_t j = 0; j < dim; ++j)
      if (i != j) offdiag = std::max(offdiag, std::fabs(c[i * dim + j] / rows));
  CHECK(trace == Approx(double(dim)).epsilon(0.03));
  CHECK(fro2 == Approx(want_fro2).epsilon(0.05));
  CHECK(offdiag > 0.1);  // rotated: the coordinates are correlated
  s.kind = "flat";
  const Tensor white = correlated_activations(2, dim, s, 5);
  CHECK(white.shape == Shape{2, dim});
}
