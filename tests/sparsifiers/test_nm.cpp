// N:M sparsifier: hand-computed groups, the lower-index tie rule, ragged
// tails, both axes, and agreement with a full-sort reference for every kernel
// (M = 2, 4 (SIMD), 8, 16, and the general path) on tie-heavy data.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <limits>

#include "sparsifiers/reference.hpp"
#include "support.hpp"

using namespace interplay;
using interplay::test::same_bits;
using interplay::test::sparsify;
using interplay::test::vec;

namespace {

void check_bits(const Tensor& y, const std::vector<float>& expected) {
  REQUIRE(y.size() == expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    INFO("index " << i << ": got " << y.data[i] << ", expected " << expected[i]);
    CHECK(same_bits(y.data[i], expected[i]));
  }
}

std::string nm(int n, int m, int axis = -1) {
  return json{{"sparsifier", "nm"}, {"n", n}, {"m", m}, {"axis", axis}}.dump();
}

}  // namespace

TEST_CASE("nm: keeps the n largest |x| of every m", "[sparsifiers][nm]") {
  const Tensor x = vec({0.1f, -0.5f, 0.3f, 0.2f, 4, 3, -2, 1});
  check_bits(sparsify(R"({"sparsifier":"nm"})", x), {0, -0.5f, 0.3f, 0, 4, 3, 0, 0});  // 2:4
  check_bits(sparsify(nm(1, 4), x), {0, -0.5f, 0, 0, 4, 0, 0, 0});
  check_bits(sparsify(nm(3, 4), x), {0, -0.5f, 0.3f, 0.2f, 4, 3, -2, 0});
  check_bits(sparsify(nm(1, 2), x), {0, -0.5f, 0.3f, 0, 4, 0, -2, 0});
  check_bits(sparsify(nm(4, 8), vec({1, 8, 2, -7, 3, 6, 4, 5})), {0, 8, 0, -7, 0, 6, 0, 5});
  check_bits(sparsify(nm(0, 4), x), {0, 0, 0, 0, 0, 0, 0, 0});
}

TEST_CASE("nm: ties keep the lower index", "[sparsifiers][nm]") {
  check_bits(sparsify(nm(2, 4), vec({1, 1, 1, 1})), {1, 1, 0, 0});
  check_bits(sparsify(nm(1, 4), vec({-3, 3, 3, -3})), {-3, 0, 0, 0});
  check_bits(sparsify(nm(4, 8), vec({2, 2, 2, 2, 2, 2, 2, 2})), {2, 2, 2, 2, 0, 0, 0, 0});
  // The zeros tie: index 0 stays, -0 at index 1 is pruned to +0.
  check_bits(sparsify(nm(2, 4), vec({0.0f, -0.0f, 0.0f, 1})), {0.0f, 0.0f, 0.0f, 1});
  // Sixteen equal groups: the SIMD kernel must apply the same rule.
  Tensor ones({64}, 1.0f);
  const Tensor y = sparsify(nm(2, 4), ones);
  for (std::size_t i = 0; i < 64; ++i) CHECK(y.data[i] == (i % 4 < 2 ? 1.0f : 0.0f));
}

TEST_CASE("nm: THEORY witness (1:2, group (0.6, 1.4) rounded to (1, 1))", "[sparsifiers][nm]") {
  const Tensor x = vec({0.6f, 1.4f}), q = vec({1, 1});
  const Tensor sx = sparsify(nm(1, 2), x), sq = sparsify(nm(1, 2), q);
  check_bits(sx, {0, 1.4f});
  check_bits(sq, {1, 0});  // the tie keeps index 0, pruning the larger original
  auto l1 = [&](const Tensor& y) {
    return std::fabs(double(y.data[0]) - double(x.data[0])) +
           std::fabs(double(y.data[1]) - double(x.data[1]));
  };
  CHECK(l1(sq) == Approx(1.8).epsilon(1e-6));                // E(Q->S)
  CHECK(l1(sx) + l1(q) == Approx(0.6 + 0.8).epsilon(1e-6));  // E(s) + E(q)
}

TEST_CASE("nm: NaN is the largest magnitude; n == m keeps everything", "[sparsifiers][nm]") {
  const float nan = std::numeric_limits<float>::quiet_NaN(), inf = INFINITY;
  Tensor y = sparsify(nm(1, 4), vec({5, nan, -inf, 1}));
  CHECK(y.data[0] == 0.0f);
  CHECK(std::isnan(y.data[1]));
  CHECK(y.data[2] == 0.0f);
  y = sparsify(nm(2, 4), vec({5, nan, -inf, 1}));
  CHECK(y.data[2] == -inf);
  CHECK(y.data[0] == 0.0f);
  const Tensor x = vec({0.0f, -0.0f, nan, 1, -2, inf});
  y = sparsify(nm(3, 3), x);
  for (std::size_t i = 0; i < x.size(); ++i) CHECK(same_bits(y.data[i], x.data[i]));
  y = sparsify(nm(4, 4), x);  // ragged tail of 2 keeps min(4, 2) = 2
  for (std::size_t i = 0; i < x.size(); ++i) CHECK(same_bits(y.data[i], x.data[i]));
}

TEST_CASE("nm: a ragged last group keeps min(n, r)", "[sparsifiers][nm]") {
  check_bits(sparsify(nm(2, 4), vec({1, 2, 3, 4, 7, 5, 6})), {0, 0, 3, 4, 7, 0, 6});
  check_bits(sparsify(nm(2, 4), vec({1, 2, 3, 4, 5, 6})), {0, 0, 3, 4, 5, 6});
  check_bits(sparsify(nm(1, 4), vec({1, 2, 3, 4, 0.5f})), {0, 0, 0, 4, 0.5f});
  check_bits(sparsify(nm(3, 4), vec({1, 2, 3, 4, -5, 0.5f})), {0, 2, 3, 4, -5, 0.5f});
  check_bits(sparsify(nm(2, 4), vec({1, 3, 2})), {0, 3, 2});  // only a ragged group
  check_bits(sparsify(nm(1, 4), vec({1, 3, 3})), {0, 3, 0});  // with a tie
  check_bits(sparsify(nm(2, 5), vec({1, 2, 3, 4, 5, 9, 8, 7})), {0, 0, 0, 4, 5, 9, 8, 0});
}

TEST_CASE("nm: groups run along the chosen axis", "[sparsifiers][nm]") {
  const Tensor x({4, 2}, {1, 8, 4, 5, 3, 6, 2, 7});
  // axis 0: column (1, 4, 3, 2) keeps 4, 3; column (8, 5, 6, 7) keeps 8, 7.
  check_bits(sparsify(nm(2, 4, 0), x), {0, 8, 4, 0, 3, 0, 0, 7});
  // last axis: every row is one 1:2 group.
  check_bits(sparsify(nm(1, 2), x), {0, 8, 0, 5, 0, 6, 0, 7});
  check_bits(sparsify(nm(1, 2, 1), x), {0, 8, 0, 5, 0, 6, 0, 7});
  // axis 0 with a ragged tail: 3 rows, 2:2 then 1 row keeps min(1, 1).
  const Tensor r({3, 2}, {1, -2, 3, 4, 5, 6});
  check_bits(sparsify(nm(1, 2, 0), r), {0, 0, 3, 4, 5, 6});
}

TEST_CASE("nm: matches a full-sort reference for every kernel", "[sparsifiers][nm]") {
  struct Case {
    int n, m;
    Shape shape;
    int axis;
  };
  const Case cases[] = {{2, 4, {9, 1030}, -1},  {1, 4, {3, 4099}, -1},     {3, 4, {70001}, -1},
                        {2, 4, {64, 40}, 0},    {1, 2, {5, 333}, -1},      {4, 8, {6, 1001}, -1},
                        {5, 8, {40, 7}, 0},     {8, 16, {3, 500}, -1},     {3, 16, {37, 5}, 0},
                        {2, 3, {4, 100}, -1},   {3, 5, {2, 9, 11}, 1},     {7, 33, {4, 200}, -1},
                        {30, 64, {2, 700}, -1}, {2, 4, {2, 3, 18}, 1},     {4, 4, {5, 7}, -1},
                        {2, 4, {1 << 17}, -1},  {300, 1000, {2, 2500}, -1}};
  unsigned seed = 100;
  for (const auto& c : cases) {
    for (std::size_t nan_every : {std::size_t(0), std::size_t(29)}) {
      const Tensor x = interplay::test::tie_heavy(c.shape, seed++, nan_every);
      const std::string step = nm(c.n, c.m, c.axis);
      INFO(step << " shape " << shape_string(c.shape) << " nan_every " << nan_every);
      const auto expected =
          interplay::test::reference_nm(x, std::size_t(c.n), std::size_t(c.m), c.axis);
      auto b = sparsifiers().build(json::parse(step), "sparsifier", "test");
      std::vector<std::uint8_t> keep;
      b.object->select(x, keep);
      CHECK(keep == expected);
      // sparsify() (fused along a contiguous axis) makes the same decisions.
      const auto want = interplay::test::apply_mask(x, expected);
      Tensor y;
      b.object->sparsify(x, y);
      bool same = true;
      for (std::size_t i = 0; i < x.size(); ++i) same = same && same_bits(y.data[i], want[i]);
      CHECK(same);
      // ... also in place.
      Tensor z = x;
      b.object->sparsify(z, z);
      same = true;
      for (std::size_t i = 0; i < x.size(); ++i) same = same && same_bits(z.data[i], want[i]);
      CHECK(same);
    }
  }
}

TEST_CASE("nm: idempotent, and exactly m - n pruned per full group", "[sparsifiers][nm]") {
  for (int axis : {-1, 0}) {
    const Tensor x = interplay::test::gaussian({64, 48}, 5);
    for (auto [n, m] : {std::pair{2, 4}, {1, 4}, {4, 8}, {3, 7}}) {
      const std::string step = nm(n, m, axis);
      INFO(step);
      const Tensor once = sparsify(step, x), twice = sparsify(step, once);
      CHECK(std::memcmp(once.data.data(), twice.data.data(), x.size() * sizeof(float)) == 0);
      std::size_t zeros = 0;
      for (float v : once.data) zeros += v == 0.0f;
      // 64 or 48 long lanes: full groups lose m - n, the tail r loses r - min(n, r).
      const std::size_t len = axis == 0 ? 64 : 48, lanes = x.size() / len;
      const std::size_t full = len / std::size_t(m), r = len % std::size_t(m);
      const std::size_t tail_pruned = r - std::min<std::size_t>(std::size_t(n), r);
      CHECK(zeros == lanes * (full * std::size_t(m - n) + tail_pruned));
    }
  }
}
