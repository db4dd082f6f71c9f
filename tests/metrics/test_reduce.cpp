// The chunked reduction, thread-count independence of every metric, and
// metric lists built by MetricSet.
#include <omp.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <limits>

#include "core/error.hpp"
#include "core/pipeline.hpp"
#include "metrics/metric_support.hpp"
#include "metrics/reduce.hpp"

using namespace interplay;

namespace {

const char* kAllMetrics =
    "l1,l2,l2sq,lp,mse,max_abs,rel_l2,sqnr_db,cosine,nonzero_fraction,dot,output";

bool same_bits(const std::vector<double>& a, const std::vector<double>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0;
}

// Restores the OpenMP thread count when the test ends.
struct ThreadCount {
  int saved = omp_get_max_threads();
  ~ThreadCount() { omp_set_num_threads(saved); }
};

}  // namespace

TEST_CASE("reduce: chunked sums are exact on chunk boundaries", "[metrics]") {
  for (std::size_t n : {std::size_t(0), std::size_t(1), std::size_t(4095), kReduceChunk,
                        std::size_t(4097), 3 * kReduceChunk + 5}) {
    INFO(n);
    CHECK(chunked_sum(n, [](std::size_t) { return 1.0; }) == double(n));
    CHECK(chunked_sum(n, [](std::size_t i) { return double(i); }) == double(n) * (n - 1.0) / 2);
    const auto two = chunked_sum<std::array<double, 2>>(n, [](std::size_t i) {
      return std::array<double, 2>{1.0, double(i % 3)};
    });
    CHECK(two[0] == double(n));
    CHECK(chunked_max(n, 0.0, [](std::size_t i) { return double(i % 1000); }) ==
          (n ? double(std::min<std::size_t>(n - 1, 999)) : 0.0));
  }
}

TEST_CASE("reduce: NaN survives sums and maxima in any chunk", "[metrics]") {
  const std::size_t n = 5 * kReduceChunk;
  for (std::size_t at : {std::size_t(0), kReduceChunk - 1, n - 1}) {
    auto term = [at](std::size_t i) {
      return i == at ? std::numeric_limits<double>::quiet_NaN() : double(i);
    };
    CHECK(std::isnan(chunked_sum(n, term)));
    CHECK(std::isnan(chunked_max(n, 0.0, term)));
  }
  CHECK(std::isnan(nan_max(1.0, std::nan(""))));
  CHECK(std::isnan(nan_max(std::nan(""), 1.0)));
}

TEST_CASE("reduce: every metric is bit-identical for 1 and 2 threads", "[metrics]") {
  ThreadCount guard;
  // 600 x 500 = 300k elements: many chunks, many dot pairs, two BLAS slabs.
  const Tensor x = test::random_tensor({600, 500}, 71);
  const Tensor y = test::perturbed(x, 72);
  const MetricSet set = MetricSet::from_names(kAllMetrics);
  omp_set_num_threads(1);
  const auto one = set.evaluate(x, y);
  omp_set_num_threads(2);
  const auto two = set.evaluate(x, y);
  CHECK(same_bits(one, two));
  for (double v : one) CHECK(std::isfinite(v));
  // The sum is also independent of how the work is scheduled across calls.
  CHECK(same_bits(set.evaluate(x, y), two));
}

TEST_CASE("reduce: MetricSet builds lists of these metrics", "[metrics]") {
  const Tensor x({4}, {1.0f, -2.0f, 3.0f, 0.0f});
  const Tensor y({4}, {1.0f, -1.0f, 2.5f, 0.0f});
  SECTION("comma-separated names") {
    const MetricSet set = MetricSet::from_names(kAllMetrics);
    CHECK(set.columns() == std::vector<std::string>{"l1", "l2", "l2sq", "lp3", "mse", "max_abs",
                                                    "rel_l2", "sqnr_db", "cosine",
                                                    "nonzero_fraction", "dot", "dot_rel", "output",
                                                    "output_rel"});
    const auto v = set.evaluate(x, y);
    REQUIRE(v.size() == 14);
    CHECK(v[0] == 1.5);
    CHECK(v[2] == 1.25);
    CHECK(v[3] == 1.125);
    CHECK(v[9] == 0.75);
    CHECK(v[10] == test::run_metric("dot", x, y)[0]);
    CHECK(v[13] == test::run_metric("output", x, y)[1]);
  }
  SECTION("JSON with parameters") {
    const MetricSet set = MetricSet::from_json(json::parse(
        R"(["l1", {"metric": "lp", "p": 0.5}, {"metric": "dot", "count": 4, "seed": 9}])"));
    CHECK(set.columns() == std::vector<std::string>{"l1", "lp0.5", "dot", "dot_rel"});
    const Tensor a({1, 4}, {1.0f, 1.0f, 1.0f, 1.0f});
    const auto v = set.evaluate(x, y, MetricContext{&a});
    CHECK(v[1] == Approx(1.0 + std::sqrt(0.5)).epsilon(1e-15));
    CHECK(v[2] == 0.5);   // |<e, 1>| = |0 + 1 - 0.5 + 0|
    CHECK(v[3] == 0.25);  // over |<x, 1>| = 2
  }
  SECTION("errors name the list entry") {
    CHECK_THROWS_WITH(MetricSet::from_names("l1,l3"), Catch::Contains("l3"));
    CHECK_THROWS_WITH(MetricSet::from_json(json::parse(R"(["l1", {"metric": "lp", "p": 0}])")),
                      Catch::Contains("metrics[1]") && Catch::Contains("p"));
    CHECK_THROWS_AS(MetricSet::from_json(json::parse(R"([{"metric": "dot", "cnt": 3}])")), Error);
  }
}

TEST_CASE("reduce: every documented metric is registered", "[metrics]") {
  for (const char* m : {"l1", "l2", "l2sq", "lp", "mse", "rel_l2", "sqnr_db", "max_abs", "cosine",
                        "nonzero_fraction", "dot", "output"}) {
    INFO(m);
    CHECK(metrics().contains(m));
  }
}
