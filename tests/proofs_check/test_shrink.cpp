// Shrinking on planted violations: the result must be the minimal failing
// input (fewest elements, simplest values), and a real statement witness
// must shrink to one group.
#include <catch2/catch.hpp>
#include <cmath>
#include <numeric>

#include "proofs_check/case_checker.hpp"
#include "proofs_check/helpers.hpp"
#include "proofs_check/shrink.hpp"

using namespace interplay;
using namespace interplay::proofs;
using namespace interplay::proofs::test;

namespace {

Sample gaussian_sample(const Shape& shape, std::uint64_t seed) {
  Draw draw(seed, 1);
  Sample s;
  s.x = generate(Distribution::Gaussian, shape, draw);
  s.act = activations(last_axis(s.x), draw);
  s.features.resize(last_axis(s.x));
  std::iota(s.features.begin(), s.features.end(), 0u);
  return s;
}

int significant_bits(float v) {
  if (v == 0) return 0;
  int e;
  double m = std::fabs(std::frexp(double(v), &e)), bits = 0;
  for (; m != 0; m = m * 2 - std::floor(m * 2)) ++bits;
  return int(bits);
}

}  // namespace

TEST_CASE("shrinking a planted single-element violation gives that element alone", "[proofs]") {
  Sample s = gaussian_sample({8, 64}, 3);
  s.x.data[300] = 7.0f;  // the planted violation: "some element equals 7"
  std::size_t calls = 0;
  const auto fails = [&](const Sample& t) {
    ++calls;
    return std::find(t.x.data.begin(), t.x.data.end(), 7.0f) != t.x.data.end();
  };
  ShrinkOptions o;
  o.periods = {{}, {4, 32}};  // 2:4 groups inside 32-blocks along the last axis
  const ShrinkResult r = shrink(s, o, fails);
  CHECK(r.sample.x.shape == Shape{1, 1});
  CHECK(r.sample.x.data == std::vector<float>{7.0f});
  CHECK(r.sample.act.size() == 1);  // activations follow the last axis
  CHECK(r.sample.features.size() == 1);
  CHECK_FALSE(r.budget_exhausted);
  CHECK(r.evaluations == calls);
}

TEST_CASE("shrinking keeps whole groups and simplifies values", "[proofs]") {
  // Planted: some aligned group of 4 along the last axis has four nonzero
  // entries whose magnitudes sum to at least 10.
  const auto fails = [](const Sample& t) {
    const std::size_t n = last_axis(t.x);
    if (n % 4) return false;  // deletions must keep whole groups
    for (std::size_t g = 0; g + 4 <= t.x.size(); g += 4) {
      double sum = 0;
      bool nonzero = true;
      for (std::size_t k = 0; k < 4; ++k)
        sum += std::fabs(t.x.data[g + k]), nonzero &= t.x.data[g + k] != 0;
      if (nonzero && sum >= 10) return true;
    }
    return false;
  };
  Sample s = gaussian_sample({4, 32}, 5);
  for (std::size_t k = 0; k < 4; ++k) s.x.data[40 + k] = 3.3f + float(k);
  REQUIRE(fails(s));
  ShrinkOptions o;
  o.periods = {{}, {4}};
  const ShrinkResult r = shrink(s, o, fails);
  CHECK(r.sample.x.shape == Shape{1, 4});
  CHECK(fails(r.sample));
  for (float v : r.sample.x.data) {
    CHECK(v > 0);  // signs simplified to positive
    CHECK(significant_bits(v) <= 2);
  }
}

TEST_CASE("erase_along and significant-bit rounding", "[proofs]") {
  Sample s;
  s.x = Tensor({2, 3}, {1, 2, 3, 4, 5, 6});
  s.act = {10, 20, 30};
  s.features = {0, 1, 2};
  const Sample a = erase_along(s, 1, 1, 1);
  CHECK(a.x.shape == Shape{2, 2});
  CHECK(a.x.data == std::vector<float>{1, 3, 4, 6});
  CHECK(a.act == std::vector<float>{10, 30});
  CHECK(a.features == std::vector<std::uint32_t>{0, 2});
  const Sample b = erase_along(s, 0, 0, 1);
  CHECK(b.x.data == std::vector<float>{4, 5, 6});
  CHECK(b.act == s.act);
  CHECK(with_significant_bits(3.7f, 1) == 4.0f);
  CHECK(with_significant_bits(5.5f, 2) == 6.0f);
  CHECK(with_significant_bits(-0.3f, 1) == -0.25f);
  CHECK(with_significant_bits(0.0f, 3) == 0.0f);
}

TEST_CASE("a real T3 witness shrinks to one row of small integers", "[proofs]") {
  // INT4 per tensor, 1:2: THEORY.md's witness planted in one group of a larger
  // tensor whose other entries are exactly representable (no error).
  const Case c = make_case(R"({"quantizer":"int","bits":4,"granularity":"tensor"})",
                           R"({"sparsifier":"nm","n":1,"m":2})", {2, 8});
  Sample s;
  s.x = Tensor({2, 8}, {7, 0, 0.6f, 1.4f, 3, 1, 2, 0, 5, 4, 1, 1, 6, 0, 2, 2});
  s.act.assign(8, 1.0f);
  s.features.resize(8);
  std::iota(s.features.begin(), s.features.end(), 0u);
  const Variant v = phi(Phi::L1);
  const auto label = failing(c, "T3", v);
  REQUIRE(label.empty());
  const auto fails = [&](const Sample& t) {
    Case shrunk = c;
    shrunk.shape = t.x.shape;
    return failing(shrunk, "T3", v) == label && measure(c, "T3", v, t.x).violates();
  };
  REQUIRE(fails(s));
  ShrinkOptions o;
  o.periods = {{}, {2}};
  const ShrinkResult r = shrink(s, o, fails);
  // The tie needs its group and the element that sets the tensor's scale.
  CHECK(r.sample.x.size() <= 4);
  CHECK(fails(r.sample));
  for (float v2 : r.sample.x.data) CHECK(v2 == std::floor(v2));  // small integers after rescaling
}
