// dot metric (THEORY T4) and the random activations behind it.
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>

#include "core/error.hpp"
#include "metrics/activations.hpp"
#include "metrics/metric_support.hpp"

using namespace interplay;
using interplay::test::run_metric;

namespace {

// Reference: <f(w), a> and <w, a> as two separate double dot products.
std::vector<double> brute_force_dot(const Tensor& w, const Tensor& fw, const Tensor& a) {
  const std::size_t f = w.shape.back(), rows = w.size() / f, vecs = a.size() / f;
  double err = 0.0, base = 0.0;
  for (std::size_t r = 0; r < rows; ++r)
    for (std::size_t v = 0; v < vecs; ++v) {
      double dq = 0.0, d = 0.0;
      for (std::size_t k = 0; k < f; ++k) {
        dq += double(fw.data[r * f + k]) * a.data[v * f + k];
        d += double(w.data[r * f + k]) * a.data[v * f + k];
      }
      err += std::fabs(dq - d);
      base += std::fabs(d);
    }
  return {err / double(rows * vecs), err / base};
}

}  // namespace

TEST_CASE("dot: hand-computed value", "[metrics]") {
  const Tensor w({2, 2}, {1.0f, 2.0f, 3.0f, -1.0f});
  const Tensor fw({2, 2}, {1.0f, 2.5f, 2.0f, -1.0f});
  const Tensor a({2, 2}, {1.0f, 1.0f, 2.0f, -1.0f});
  // errors <e_r, a_v>: 0.5, -0.5, -1, -2 -> mean |.| = 1; <w_r, a_v>: 3, 0, 2, 7 -> mean 3.
  const auto v = run_metric("dot", w, fw, MetricContext{&a});
  CHECK(v == std::vector<double>{1.0, 1.0 / 3.0});
}

TEST_CASE("dot: matches a brute-force double loop", "[metrics]") {
  const Tensor w = test::random_tensor({13, 37}, 11);
  const Tensor fw = test::perturbed(w, 12);
  const Tensor a = test::random_tensor({5, 37}, 13);
  const auto v = run_metric("dot", w, fw, MetricContext{&a});
  const auto ref = brute_force_dot(w, fw, a);
  CHECK(v[0] == Approx(ref[0]).epsilon(1e-12));
  CHECK(v[1] == Approx(ref[1]).epsilon(1e-12));
  // Rank 3 weight: rows are all leading dims.
  const Tensor w3({2, 3, 4}, std::vector<float>(w.data.begin(), w.data.begin() + 24));
  const Tensor f3({2, 3, 4}, std::vector<float>(fw.data.begin(), fw.data.begin() + 24));
  const Tensor a3 = test::random_tensor({3, 4}, 14);
  const auto v3 = run_metric("dot", w3, f3, MetricContext{&a3});
  const auto r3 = brute_force_dot(w3, f3, a3);
  CHECK(v3[0] == Approx(r3[0]).epsilon(1e-12));
  CHECK(v3[1] == Approx(r3[1]).epsilon(1e-12));
}

TEST_CASE("dot: random activations are the seeded ones", "[metrics]") {
  const Tensor w = test::random_tensor({9, 50}, 21);
  const Tensor fw = test::perturbed(w, 22);
  for (const char* dist : {"normal", "uniform"}) {
    INFO(dist);
    const std::string spec =
        std::string(R"({"metric":"dot","count":6,"seed":42,"distribution":")") + dist + "\"}";
    ActivationSource src;
    src.count = 6, src.seed = 42;
    src.distribution = std::string(dist) == "normal" ? Distribution::Normal : Distribution::Uniform;
    const Tensor a = random_activations(src, 50);
    CHECK(a.shape == Shape{6, 50});
    CHECK(run_metric(spec, w, fw) == run_metric("dot", w, fw, MetricContext{&a}));
    const auto ref = brute_force_dot(w, fw, a);
    CHECK(run_metric(spec, w, fw)[0] == Approx(ref[0]).epsilon(1e-12));
  }
  // Another seed, other vectors; the default (16 normal vectors, seed 0) is stable.
  CHECK(run_metric(R"({"metric":"dot","seed":1})", w, fw) != run_metric("dot", w, fw));
  CHECK(run_metric("dot", w, fw) == run_metric(R"({"metric":"dot","count":16,"seed":0})", w, fw));
}

TEST_CASE("dot: random activations have the documented distributions", "[metrics]") {
  ActivationSource src;
  src.count = 4, src.seed = 7;
  const Tensor n = random_activations(src, 50000);
  double mean = 0.0, sq = 0.0;
  for (float v : n.data) mean += v, sq += double(v) * v;
  mean /= double(n.size()), sq /= double(n.size());
  CHECK(std::fabs(mean) < 0.01);
  CHECK(sq == Approx(1.0).epsilon(0.02));
  src.distribution = Distribution::Uniform;
  const Tensor u = random_activations(src, 50000);
  float lo = 1.0f, hi = -1.0f;
  double umean = 0.0;
  for (float v : u.data) lo = std::min(lo, v), hi = std::max(hi, v), umean += v;
  CHECK(lo >= -1.0f);
  CHECK(hi < 1.0f);
  CHECK(std::fabs(umean / double(u.size())) < 0.01);
  // Fewer vectors are a prefix of more: element (v, k) depends only on v * features + k.
  src.count = 2;
  const Tensor u2 = random_activations(src, 50000);
  CHECK(std::equal(u2.data.begin(), u2.data.end(), u.data.begin()));
}

TEST_CASE("dot: edge cases", "[metrics]") {
  const Tensor w = test::random_tensor({4, 8}, 31);
  CHECK(run_metric("dot", w, w) == std::vector<double>{0.0, 0.0});
  // All-zero weights: base 0, so any error is infinitely large relative to it.
  const Tensor zero({4, 8});
  const auto z = run_metric("dot", zero, w);
  CHECK(z[0] > 0.0);
  CHECK(z[1] == std::numeric_limits<double>::infinity());
  CHECK(run_metric("dot", zero, zero) == std::vector<double>{0.0, 0.0});
  // Empty: no rows, or no features.
  CHECK(run_metric("dot", Tensor({0, 8}), Tensor({0, 8})) == std::vector<double>{0.0, 0.0});
  CHECK(run_metric("dot", Tensor({3, 0}), Tensor({3, 0})) == std::vector<double>{0.0, 0.0});
  // A vector is one row; a scalar one row of one feature.
  const Tensor a1({1, 3}, {1.0f, 2.0f, 3.0f});
  CHECK(run_metric("dot", Tensor({3}, {1, 1, 1}), Tensor({3}, {1, 2, 1}), MetricContext{&a1}) ==
        std::vector<double>{2.0, 2.0 / 6.0});
  const Tensor s0(Shape{}, {2.0f}), s1(Shape{}, {3.0f}), as({1}, {4.0f});
  CHECK(run_metric("dot", s0, s1, MetricContext{&as}) == std::vector<double>{4.0, 0.5});
  // NaN in the weights or in the activations.
  Tensor nan_w = w;
  nan_w.data[5] = std::numeric_limits<float>::quiet_NaN();
  const auto n1 = run_metric("dot", w, nan_w);
  CHECK(std::isnan(n1[0]));
  CHECK(std::isnan(n1[1]));
  Tensor a = test::random_tensor({2, 8}, 32);
  a.data[3] = std::numeric_limits<float>::quiet_NaN();
  CHECK(std::isnan(run_metric("dot", w, w, MetricContext{&a})[0]));
}

TEST_CASE("dot: errors name the metric and shapes", "[metrics]") {
  const Tensor w({4, 8}), a({2, 7});
  CHECK_THROWS_WITH(run_metric("dot", w, w, MetricContext{&a}),
                    Catch::Contains("dot") && Catch::Contains("[2,7]") && Catch::Contains("[4,8]"));
  const Tensor scalar(Shape{}, {1.0f});
  CHECK_THROWS_AS(run_metric("dot", w, w, MetricContext{&scalar}), Error);
  CHECK_THROWS_WITH(run_metric("dot", w, Tensor({8, 4})),
                    Catch::Contains("dot") && Catch::Contains("[8,4]"));
  CHECK_THROWS_WITH(run_metric(R"({"metric":"dot","count":0})", w, w), Catch::Contains("count"));
  CHECK_THROWS_WITH(run_metric(R"({"metric":"dot","distribution":"gauss"})", w, w),
                    Catch::Contains("gauss"));
  CHECK_THROWS_WITH(run_metric(R"({"metric":"dot","samples":3})", w, w),
                    Catch::Contains("samples"));
  CHECK_THROWS_AS(run_metric(R"({"metric":"dot","seed":-1})", w, w), Error);
}
