// Error norms: hand-computed values, lp consistency, edge cases, errors.
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>

#include "core/error.hpp"
#include "metrics/metric_support.hpp"

using namespace interplay;
using interplay::test::metric_value;
using interplay::test::run_metric;

namespace {
// e = y - x = [0, 1, -0.5, 0]
Tensor x4() {
  return Tensor({4}, {1.0f, -2.0f, 3.0f, 0.0f});
}
Tensor y4() {
  return Tensor({4}, {1.0f, -1.0f, 2.5f, 0.0f});
}
const char* kNorms[] = {"l1", "l2", "l2sq", "lp", "mse", "max_abs"};
}  // namespace

TEST_CASE("norms: hand-computed values", "[metrics]") {
  CHECK(metric_value("l1", x4(), y4()) == 1.5);
  CHECK(metric_value("l2sq", x4(), y4()) == 1.25);
  CHECK(metric_value("l2", x4(), y4()) == std::sqrt(1.25));
  CHECK(metric_value("mse", x4(), y4()) == 0.3125);
  CHECK(metric_value("max_abs", x4(), y4()) == 1.0);
  CHECK(metric_value("lp", x4(), y4()) == 1.125);  // default p = 3: 1 + 0.5^3
  CHECK(metric_value(R"({"metric":"lp","p":0.5})", x4(), y4()) ==
        Approx(1.0 + std::sqrt(0.5)).epsilon(1e-15));
  CHECK(metric_value(R"({"metric":"lp","p":4})", x4(), y4()) == 1.0625);
}

TEST_CASE("norms: lp column carries its exponent", "[metrics]") {
  auto col = [](const std::string& spec) {
    return metrics().build(json::parse(spec), "metric", "test").object->columns();
  };
  CHECK(col(R"({"metric":"lp"})") == std::vector<std::string>{"lp3"});
  CHECK(col(R"({"metric":"lp","p":0.5})") == std::vector<std::string>{"lp0.5"});
  CHECK(col(R"({"metric":"l2sq"})") == std::vector<std::string>{"l2sq"});
}

TEST_CASE("norms: lp(1) is l1 and lp(2) is l2sq bit for bit", "[metrics]") {
  const Tensor x = test::random_tensor({3, 1000}, 1);
  const Tensor y = test::perturbed(x, 2);
  CHECK(metric_value(R"({"metric":"lp","p":1})", x, y) == metric_value("l1", x, y));
  CHECK(metric_value(R"({"metric":"lp","p":2})", x, y) == metric_value("l2sq", x, y));
  CHECK(metric_value("l2", x, y) == std::sqrt(metric_value("l2sq", x, y)));
  CHECK(metric_value("mse", x, y) == metric_value("l2sq", x, y) / 3000.0);
  // p = 3 uses pow: close to the cube sum, computed independently here.
  double cubes = 0.0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double e = std::fabs(double(y.data[i]) - double(x.data[i]));
    cubes += e * e * e;
  }
  CHECK(metric_value("lp", x, y) == Approx(cubes).epsilon(1e-12));
}

TEST_CASE("norms: identical tensors and empty tensors give 0", "[metrics]") {
  const Tensor x = test::random_tensor({5, 7}, 3);
  const Tensor empty({0, 4});
  for (const char* m : kNorms) {
    INFO(m);
    CHECK(metric_value(m, x, x) == 0.0);
    CHECK(metric_value(m, empty, empty) == 0.0);
    CHECK(metric_value(m, Tensor({4}), Tensor({4})) == 0.0);  // all-zero x and y
  }
}

TEST_CASE("norms: a NaN in either tensor makes the value NaN", "[metrics]") {
  Tensor y = y4();
  y.data[1] = std::numeric_limits<float>::quiet_NaN();
  Tensor x = x4();
  x.data[3] = std::numeric_limits<float>::quiet_NaN();
  for (const char* m : kNorms) {
    INFO(m);
    CHECK(std::isnan(metric_value(m, x4(), y)));
    CHECK(std::isnan(metric_value(m, x, y4())));
  }
  // NaN after a larger error still wins in max_abs (std::max would drop it).
  Tensor z({3}, {100.0f, std::numeric_limits<float>::quiet_NaN(), 0.0f});
  CHECK(std::isnan(metric_value("max_abs", Tensor({3}), z)));
}

TEST_CASE("norms: infinite errors stay infinite", "[metrics]") {
  Tensor y = y4();
  y.data[0] = std::numeric_limits<float>::infinity();
  CHECK(metric_value("l1", x4(), y) == std::numeric_limits<double>::infinity());
  CHECK(metric_value("max_abs", x4(), y) == std::numeric_limits<double>::infinity());
}

TEST_CASE("norms: shape mismatch names both shapes", "[metrics]") {
  const Tensor a({2, 2}), b({4});
  for (const char* m : kNorms) {
    INFO(m);
    CHECK_THROWS_AS(run_metric(m, a, b), Error);
  }
  CHECK_THROWS_WITH(run_metric("l1", a, b),
                    Catch::Contains("l1") && Catch::Contains("[2,2]") && Catch::Contains("[4]"));
}

TEST_CASE("norms: bad parameters are rejected", "[metrics]") {
  const Tensor x = x4();
  CHECK_THROWS_WITH(run_metric(R"({"metric":"lp","p":0})", x, x), Catch::Contains("p"));
  CHECK_THROWS_AS(run_metric(R"({"metric":"lp","p":-1})", x, x), Error);
  CHECK_THROWS_AS(run_metric(R"({"metric":"lp","p":"two"})", x, x), Error);
  CHECK_THROWS_WITH(run_metric(R"({"metric":"l1","p":2})", x, x), Catch::Contains("p"));
  CHECK_THROWS_WITH(run_metric("l3", x, x), Catch::Contains("l3"));
}
