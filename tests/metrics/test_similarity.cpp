// rel_l2, sqnr_db, cosine, nonzero_fraction: hand values and the zero cases.
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>

#include "core/error.hpp"
#include "metrics/metric_support.hpp"

using namespace interplay;
using interplay::test::metric_value;
using interplay::test::run_metric;

namespace {
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
// sum x^2 = 14, sum y^2 = 8.25, <x, y> = 10.5, sum e^2 = 1.25
Tensor x4() {
  return Tensor({4}, {1.0f, -2.0f, 3.0f, 0.0f});
}
Tensor y4() {
  return Tensor({4}, {1.0f, -1.0f, 2.5f, 0.0f});
}
const char* kMetrics[] = {"rel_l2", "sqnr_db", "cosine", "nonzero_fraction"};
}  // namespace

TEST_CASE("similarity: hand-computed values", "[metrics]") {
  CHECK(metric_value("rel_l2", x4(), y4()) == Approx(std::sqrt(1.25 / 14.0)).epsilon(1e-15));
  CHECK(metric_value("rel_l2", x4(), y4()) == Approx(0.2988071523335984).epsilon(1e-15));
  CHECK(metric_value("sqnr_db", x4(), y4()) == Approx(10.492180226701816).epsilon(1e-15));
  CHECK(metric_value("cosine", x4(), y4()) == Approx(0.9770084209183943).epsilon(1e-15));
  CHECK(metric_value("nonzero_fraction", x4(), y4()) == 0.75);
}

TEST_CASE("similarity: identical tensors", "[metrics]") {
  const Tensor x = test::random_tensor({17, 33}, 5);
  CHECK(metric_value("rel_l2", x, x) == 0.0);
  CHECK(metric_value("sqnr_db", x, x) == kInf);
  CHECK(metric_value("cosine", x, x) == 1.0);  // exactly, not 1 - ulp
  Tensor neg = x;
  for (auto& v : neg.data) v = -v;
  CHECK(metric_value("cosine", x, neg) == -1.0);
  CHECK(metric_value("nonzero_fraction", x, x) == 1.0);
}

TEST_CASE("similarity: all-zero reference or approximation", "[metrics]") {
  const Tensor zero({4});
  // x = 0, y = 0: nothing to compare.
  CHECK(metric_value("rel_l2", zero, zero) == 0.0);
  CHECK(metric_value("sqnr_db", zero, zero) == kInf);
  CHECK(metric_value("cosine", zero, zero) == 1.0);
  CHECK(metric_value("nonzero_fraction", zero, zero) == 0.0);
  // x = 0, y != 0: infinite relative error, no signal.
  CHECK(metric_value("rel_l2", zero, y4()) == kInf);
  CHECK(metric_value("sqnr_db", zero, y4()) == -kInf);
  CHECK(metric_value("cosine", zero, y4()) == 0.0);
  // y = 0 (everything pruned): error equals signal.
  CHECK(metric_value("rel_l2", x4(), zero) == 1.0);
  CHECK(metric_value("sqnr_db", x4(), zero) == 0.0);
  CHECK(metric_value("cosine", x4(), zero) == 0.0);
}

TEST_CASE("similarity: nonzero_fraction counts -0 as zero", "[metrics]") {
  const Tensor y({5}, {-0.0f, 0.0f, 1e-30f, -2.0f, 0.0f});
  CHECK(metric_value("nonzero_fraction", Tensor({5}), y) == 0.4);
}

TEST_CASE("similarity: NaN makes the value NaN", "[metrics]") {
  Tensor y = y4();
  y.data[2] = kNaN;
  Tensor x = x4();
  x.data[0] = kNaN;
  for (const char* m : kMetrics) {
    INFO(m);
    CHECK(std::isnan(metric_value(m, x4(), y)));
  }
  // nonzero_fraction looks at y only; the others at both.
  CHECK(std::isnan(metric_value("rel_l2", x, y4())));
  CHECK(std::isnan(metric_value("sqnr_db", x, y4())));
  CHECK(std::isnan(metric_value("cosine", x, y4())));
  CHECK(metric_value("nonzero_fraction", x, y4()) == 0.75);
  // NaN beside an all-zero side is still NaN, not a zero-case constant.
  Tensor z({2}, {0.0f, kNaN});
  CHECK(std::isnan(metric_value("rel_l2", Tensor({2}), z)));
  CHECK(std::isnan(metric_value("cosine", Tensor({2}), z)));
  CHECK(std::isnan(metric_value("sqnr_db", z, z)));
}

TEST_CASE("similarity: empty tensors compare as identical", "[metrics]") {
  const Tensor e({3, 0});
  CHECK(metric_value("rel_l2", e, e) == 0.0);
  CHECK(metric_value("sqnr_db", e, e) == kInf);
  CHECK(metric_value("cosine", e, e) == 1.0);
  CHECK(metric_value("nonzero_fraction", e, e) == 0.0);
}

TEST_CASE("similarity: shape mismatch and parameters", "[metrics]") {
  for (const char* m : kMetrics) {
    INFO(m);
    CHECK_THROWS_WITH(run_metric(m, Tensor({2, 3}), Tensor({3, 2})),
                      Catch::Contains(m) && Catch::Contains("[2,3]") && Catch::Contains("[3,2]"));
    CHECK_THROWS_AS(run_metric(std::string(R"({"metric":")") + m + R"(","seed":1})", x4(), x4()),
                    Error);
  }
}
