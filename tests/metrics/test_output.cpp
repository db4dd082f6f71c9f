// output metric (THEORY T5): ||X (f(W) - W)^T||_F^2 against a naive triple loop.
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>

#include "core/error.hpp"
#include "metrics/activations.hpp"
#include "metrics/metric_support.hpp"

using namespace interplay;
using interplay::test::run_metric;

namespace {

// sum_s sum_r (sum_k X[s,k] D[r,k])^2 and the same with W for D.
std::vector<double> naive_output(const Tensor& w, const Tensor& fw, const Tensor& x) {
  const std::size_t in = w.shape.back(), rows = w.size() / in, n = x.size() / in;
  double err = 0.0, base = 0.0;
  for (std::size_t s = 0; s < n; ++s)
    for (std::size_t r = 0; r < rows; ++r) {
      double d = 0.0, b = 0.0;
      for (std::size_t k = 0; k < in; ++k) {
        const double xk = x.data[s * in + k], wk = w.data[r * in + k];
        d += xk * (double(fw.data[r * in + k]) - wk);
        b += xk * wk;
      }
      err += d * d, base += b * b;
    }
  return {err, err / base};
}

void check_close(const std::vector<double>& got, const std::vector<double>& want) {
  REQUIRE(got.size() == 2);
  CHECK(got[0] == Approx(want[0]).epsilon(1e-11));
  CHECK(got[1] == Approx(want[1]).epsilon(1e-11));
}

}  // namespace

TEST_CASE("output: hand-computed value", "[metrics]") {
  const Tensor w({2, 2}, {1.0f, 2.0f, 3.0f, -1.0f});
  const Tensor fw({2, 2}, {1.0f, 2.5f, 2.0f, -1.0f});
  const Tensor x({2, 2}, {1.0f, 1.0f, 2.0f, -1.0f});
  // X D^T = [[0.5, -1], [-0.5, -2]] -> 0.25 + 1 + 0.25 + 4 = 5.5
  // X W^T = [[3, 2], [0, 7]]        -> 9 + 4 + 0 + 49 = 62
  CHECK(run_metric("output", w, fw, MetricContext{&x}) == std::vector<double>{5.5, 5.5 / 62.0});
}

TEST_CASE("output: matches a naive triple loop", "[metrics]") {
  SECTION("small") {
    const Tensor w = test::random_tensor({7, 11}, 41);
    const Tensor fw = test::perturbed(w, 42);
    const Tensor x = test::random_tensor({5, 11}, 43);
    check_close(run_metric("output", w, fw, MetricContext{&x}), naive_output(w, fw, x));
  }
  SECTION("more rows than one BLAS slab, rank 3 weight, rank 3 activations") {
    const Tensor w = test::random_tensor({3, 150, 9}, 44);
    const Tensor fw = test::perturbed(w, 45);
    const Tensor x = test::random_tensor({2, 3, 9}, 46);
    check_close(run_metric("output", w, fw, MetricContext{&x}), naive_output(w, fw, x));
  }
  SECTION("seeded random activations") {
    const Tensor w = test::random_tensor({20, 30}, 47);
    const Tensor fw = test::perturbed(w, 48);
    ActivationSource src;
    src.count = 64;
    const Tensor x = random_activations(src, 30);
    check_close(run_metric("output", w, fw), naive_output(w, fw, x));
    src.count = 10, src.seed = 3, src.distribution = Distribution::Uniform;
    const Tensor xu = random_activations(src, 30);
    check_close(
        run_metric(R"({"metric":"output","samples":10,"seed":3,"distribution":"uniform"})", w, fw),
        naive_output(w, fw, xu));
  }
}

TEST_CASE("output: isotropic samples give n ||D||^2 in expectation", "[metrics]") {
  const Tensor w = test::random_tensor({8, 64}, 51);
  const Tensor fw = test::perturbed(w, 52);
  const double l2sq = test::metric_value("l2sq", w, fw);
  const double out = run_metric(R"({"metric":"output","samples":2048})", w, fw)[0];
  CHECK(out / (2048.0 * l2sq) == Approx(1.0).epsilon(0.1));
}

TEST_CASE("output: edge cases", "[metrics]") {
  const Tensor w = test::random_tensor({4, 8}, 61);
  CHECK(run_metric("output", w, w) == std::vector<double>{0.0, 0.0});
  const Tensor zero({4, 8});
  CHECK(run_metric("output", zero, w)[1] == std::numeric_limits<double>::infinity());
  CHECK(run_metric("output", Tensor({0, 8}), Tensor({0, 8})) == std::vector<double>{0.0, 0.0});
  CHECK(run_metric("output", Tensor({3, 0}), Tensor({3, 0})) == std::vector<double>{0.0, 0.0});
  const Tensor no_samples({0, 8});
  CHECK(run_metric("output", w, w, MetricContext{&no_samples}) == std::vector<double>{0.0, 0.0});
  // NaN in W, f(W) or X, even where it meets a zero.
  Tensor nan_fw = w;
  nan_fw.data[9] = std::numeric_limits<float>::quiet_NaN();
  CHECK(std::isnan(run_metric("output", w, nan_fw)[0]));
  CHECK(std::isnan(run_metric("output", w, nan_fw)[1]));
  CHECK(std::isnan(run_metric("output", nan_fw, w)[0]));
  Tensor x({2, 8});
  x.data[3] = std::numeric_limits<float>::quiet_NaN();
  CHECK(std::isnan(run_metric("output", w, w, MetricContext{&x})[0]));
}

TEST_CASE("output: errors name the metric and shapes", "[metrics]") {
  const Tensor w({4, 8}), x({2, 5});
  CHECK_THROWS_WITH(run_metric("output", w, w, MetricContext{&x}), Catch::Contains("output") &&
                                                                       Catch::Contains("[2,5]") &&
                                                                       Catch::Contains("[4,8]"));
  CHECK_THROWS_WITH(run_metric("output", w, Tensor({32})),
                    Catch::Contains("output") && Catch::Contains("[32]"));
  CHECK_THROWS_WITH(run_metric(R"({"metric":"output","samples":0})", w, w),
                    Catch::Contains("samples"));
  CHECK_THROWS_WITH(run_metric(R"({"metric":"output","count":4})", w, w), Catch::Contains("count"));
}
