// Magnitude sparsifier: hand-computed masks, exact counts, the tie and NaN
// rules, row scope, and agreement with a full-sort reference on tie-heavy
// tensors of every size class the selection handles differently.
#include <omp.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>

#include "sparsifiers/magnitude_window.hpp"
#include "sparsifiers/reference.hpp"
#include "sparsifiers/sinks.hpp"
#include "support.hpp"

using namespace interplay;
using interplay::test::same_bits;
using interplay::test::sparsify;
using interplay::test::vec;

namespace {

std::size_t zeros(const Tensor& t) {
  std::size_t z = 0;
  for (float v : t.data) z += v == 0.0f;
  return z;
}

std::vector<std::uint8_t> mask(const std::string& step, const Tensor& x) {
  auto b = sparsifiers().build(json::parse(step), "sparsifier", "test");
  std::vector<std::uint8_t> keep;
  b.object->select(x, keep);
  return keep;
}

void check_bits(const Tensor& y, const std::vector<float>& expected) {
  REQUIRE(y.size() == expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    INFO("index " << i << ": got " << y.data[i] << ", expected " << expected[i]);
    CHECK(same_bits(y.data[i], expected[i]));
  }
}

}  // namespace

TEST_CASE("magnitude: prunes the smallest |x|, pruned entries are +0, signs kept",
          "[sparsifiers][magnitude]") {
  // |x| = 0.5 3 1 0.25 2 0: the three smallest are indices 5, 3, 0.
  const Tensor y = sparsify(R"({"sparsifier":"magnitude"})", vec({0.5f, -3, 1, -0.25f, 2, 0}));
  check_bits(y, {0, -3, 1, 0, 2, 0});
  CHECK_FALSE(std::signbit(y.data[3]));  // -0.25 pruned to +0, not -0
}

TEST_CASE("magnitude: pruned count is floor(numel * fraction)", "[sparsifiers][magnitude]") {
  const Tensor x = interplay::test::gaussian({10}, 1);
  CHECK(zeros(sparsify(R"({"sparsifier":"magnitude","fraction":0.25})", x)) == 2);  // 2.5
  CHECK(zeros(sparsify(R"({"sparsifier":"magnitude","fraction":0.3})", x)) ==
        3);  // 3.0000000000000004
  CHECK(zeros(sparsify(R"({"sparsifier":"magnitude","fraction":0.99})", x)) == 9);  // 9.9
  CHECK(zeros(sparsify(R"({"sparsifier":"magnitude","fraction":0})", x)) == 0);
  CHECK(zeros(sparsify(R"({"sparsifier":"magnitude","fraction":1})", x)) == 10);
  const Tensor h = interplay::test::gaussian({100}, 2);
  // 100 * 0.29 = 28.999999999999996 in double: int() gives 28, as in Python.
  CHECK(zeros(sparsify(R"({"sparsifier":"magnitude","fraction":0.29})", h)) == 28);
  const Tensor odd = interplay::test::gaussian({7, 3}, 3);
  CHECK(zeros(sparsify(R"({"sparsifier":"magnitude","fraction":0.5})", odd)) == 10);  // 10.5
  const Tensor big = interplay::test::gaussian({3, 100001}, 4);                       // 300003
  CHECK(zeros(sparsify(R"({"sparsifier":"magnitude","fraction":0.37})", big)) == 111001);
}

TEST_CASE("magnitude: ties keep the lower index", "[sparsifiers][magnitude]") {
  check_bits(sparsify(R"({"sparsifier":"magnitude"})", vec({2, 2, 2, 2, 2, 2})),
             {2, 2, 2, 0, 0, 0});
  // Equal magnitudes of either sign tie; so do -0 and +0.
  check_bits(sparsify(R"({"sparsifier":"magnitude"})", vec({-1, 1, -1, 1})), {-1, 1, 0, 0});
  check_bits(sparsify(R"({"sparsifier":"magnitude","fraction":0.25})", vec({-0.0f, 0.0f, 5, 0.0f})),
             {-0.0f, 0.0f, 5, 0});
  // The tie sits exactly at the cut: 3 pruned = 0.1 plus two of the four 0.5s.
  check_bits(sparsify(R"({"sparsifier":"magnitude"})", vec({0.5f, 0.1f, 0.5f, 0.5f, 9, -0.5f})),
             {0.5f, 0, 0.5f, 0, 9, 0});
}

TEST_CASE("magnitude: NaN counts as the largest magnitude", "[sparsifiers][magnitude]") {
  const float nan = std::numeric_limits<float>::quiet_NaN(), inf = INFINITY;
  Tensor y = sparsify(R"({"sparsifier":"magnitude"})", vec({nan, 1, 2, 3}));
  CHECK(std::isnan(y.data[0]));
  check_bits(Tensor({3}, {y.data[1], y.data[2], y.data[3]}), {0, 0, 3});
  // Inf ties with -Inf (the lower index stays); NaN beats both.
  y = sparsify(R"({"sparsifier":"magnitude"})", vec({1, inf, nan, -inf}));
  CHECK(y.data[0] == 0.0f);
  CHECK(y.data[1] == inf);
  CHECK(std::isnan(y.data[2]));
  CHECK(y.data[3] == 0.0f);
  // NaNs tie with each other, whatever their sign or payload.
  y = sparsify(R"({"sparsifier":"magnitude"})", vec({-nan, 1, std::nanf("7"), nan}));
  CHECK(std::isnan(y.data[0]));
  CHECK(std::isnan(y.data[2]));
  CHECK(y.data[1] == 0.0f);
  CHECK(y.data[3] == 0.0f);
}

TEST_CASE("magnitude: row scope makes every lane its own group", "[sparsifiers][magnitude]") {
  const Tensor x({2, 4}, {10, 20, 30, 40, 1, 2, 3, 4});
  check_bits(sparsify(R"({"sparsifier":"magnitude"})", x), {10, 20, 30, 40, 0, 0, 0, 0});
  check_bits(sparsify(R"({"sparsifier":"magnitude","scope":"row"})", x),
             {0, 0, 30, 40, 0, 0, 3, 4});
  // floor(4 * 0.3) = 1 per row, not floor(8 * 0.3) = 2 overall.
  check_bits(sparsify(R"({"sparsifier":"magnitude","scope":"row","fraction":0.3})", x),
             {0, 20, 30, 40, 0, 2, 3, 4});
  // axis 0: each column (length 2) loses its smaller element.
  check_bits(sparsify(R"({"sparsifier":"magnitude","scope":"row","axis":0})", x),
             {10, 20, 30, 40, 0, 0, 0, 0});
  const Tensor c({2, 3}, {1, 5, -2, 3, -5, 1});
  check_bits(sparsify(R"({"sparsifier":"magnitude","scope":"row","axis":0})", c),
             {0, 5, -2, 3, 0, 0});  // the 5/-5 tie keeps row 0
}

TEST_CASE("magnitude: matches a full-sort reference on tie-heavy tensors",
          "[sparsifiers][magnitude]") {
  // Sizes cover the direct path (<= 512), the ranged histogram (rows) and the
  // 16-bit histogram (>= 2^18, threaded).
  struct Case {
    Shape shape;
    double fraction;
    bool per_row;
    int axis;
  };
  const Case cases[] = {{{37}, 0.5, false, -1},        {{300}, 0.33, false, -1},
                        {{5000}, 0.5, false, -1},      {{7, 4097}, 0.61, true, -1},
                        {{300, 20}, 0.45, true, 0},    {{3, 5, 700}, 0.5, true, 1},
                        {{1 << 19}, 0.5, false, -1},   {{2, 150001}, 0.7, false, -1},
                        {{33, 1031}, 0.07, false, -1}, {{2, 3000}, 0.999, true, -1}};
  unsigned seed = 10;
  for (const auto& c : cases) {
    for (std::size_t nan_every : {std::size_t(0), std::size_t(97)}) {
      const Tensor x = interplay::test::tie_heavy(c.shape, seed++, nan_every);
      json step{{"sparsifier", "magnitude"},
                {"fraction", c.fraction},
                {"axis", c.axis},
                {"scope", c.per_row ? "row" : "tensor"}};
      INFO(step.dump() << " shape " << shape_string(c.shape) << " nan_every " << nan_every);
      const auto expected = interplay::test::reference_magnitude(x, c.fraction, c.per_row, c.axis);
      CHECK(mask(step.dump(), x) == expected);
      const Tensor y = sparsify(step.dump(), x);
      const auto want = interplay::test::apply_mask(x, expected);
      bool same = true;
      for (std::size_t i = 0; i < x.size(); ++i) same = same && same_bits(y.data[i], want[i]);
      CHECK(same);
    }
  }
}

TEST_CASE("magnitude: idempotent on tensors without zeros", "[sparsifiers][magnitude]") {
  for (const char* step : {R"({"sparsifier":"magnitude","fraction":0.6})",
                           R"({"sparsifier":"magnitude","scope":"row","fraction":0.3})",
                           R"({"sparsifier":"magnitude","scope":"row","axis":0})"}) {
    const Tensor x = interplay::test::gaussian({64, 48}, 77);
    const Tensor once = sparsify(step, x);
    const Tensor twice = sparsify(step, once);
    INFO(step);
    CHECK(std::memcmp(once.data.data(), twice.data.data(), x.size() * sizeof(float)) == 0);
  }
}

TEST_CASE("magnitude: large ties (zeros) cost no big buffers and keep the lowest indices",
          "[sparsifiers][magnitude]") {
  // 2^19 zeros: one key value for everything; half of them go, from the top.
  Tensor zeros({1 << 19}, 0.0f);
  zeros.data[7] = -0.0f;
  auto b = sparsifiers().build(json::parse(R"({"sparsifier":"magnitude"})"), "sparsifier", "t");
  std::vector<std::uint8_t> keep;
  b.object->select(zeros, keep);
  bool lower_half_kept = true;
  for (std::size_t i = 0; i < keep.size(); ++i) lower_half_kept &= keep[i] == (i < (1u << 18));
  CHECK(lower_half_kept);
  // Re-sparsifying prunes exactly the zeros the first pass made (idempotent).
  const Tensor x = interplay::test::gaussian({1 << 19}, 12);
  for (const char* step :
       {R"({"sparsifier":"magnitude"})", R"({"sparsifier":"magnitude","scope":"row"})"}) {
    const Tensor once = sparsify(step, x), twice = sparsify(step, once);
    CHECK(std::memcmp(once.data.data(), twice.data.data(), x.size() * sizeof(float)) == 0);
  }
}

namespace {

// Values like the bench's: both signs, magnitudes over several binades.
Tensor spread(Shape shape, unsigned seed) {
  Tensor t(std::move(shape));
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(0, 1);
  for (auto& v : t.data) v = (u(rng) - 0.5f) * std::exp(4 * u(rng));
  return t;
}

// The same rounded to multiples of 1/16: hundreds of equal keys at the cut,
// few enough for the sampled path to resolve them itself.
Tensor coarse(Shape shape, unsigned seed) {
  Tensor t = spread(std::move(shape), seed);
  for (auto& v : t.data) v = std::round(v * 16) / 16;
  return t;
}

// Both select() and sparsify() against the full-sort reference, with one
// and with two threads.
void check_against_reference(const Tensor& x, const json& step, bool per_row) {
  const double fraction = step.value("fraction", 0.5);
  const auto expected = interplay::test::reference_magnitude(x, fraction, per_row, -1);
  const auto want = interplay::test::apply_mask(x, expected);
  const int saved = omp_get_max_threads();
  for (int threads : {1, 2}) {
    omp_set_num_threads(threads);
    INFO(step.dump() << " shape " << shape_string(x.shape) << " threads " << threads);
    CHECK(mask(step.dump(), x) == expected);
    const Tensor y = sparsify(step.dump(), x);
    bool same = true;
    for (std::size_t i = 0; i < x.size(); ++i) same = same && same_bits(y.data[i], want[i]);
    CHECK(same);
  }
  omp_set_num_threads(saved);
}

}  // namespace

TEST_CASE("magnitude: the sample-guided path matches a full sort", "[sparsifiers][magnitude]") {
  // Tensors of 2^20 and more and lanes of 512 and more take the sampled
  // window (magnitude_window.hpp); ties at the cut, NaNs, zeros from an
  // earlier pruning, many equal keys in the boundary bucket, sorted values and odd sizes all have
  // to give the same masks as the reference, and so does the fallback when a bucket is too full (a
  // tie of many keys) or the sample misleads (a sorted tensor whose small values sit in one block).
  const std::size_t big = (std::size_t(1) << 20) + 37;
  for (double fraction : {0.5, 0.03, 0.97}) {
    const json step{{"sparsifier", "magnitude"}, {"fraction", fraction}};
    check_against_reference(spread({big}, 1), step, false);
    check_against_reference(coarse({big}, 8), step, false);
  }
  const json half{{"sparsifier", "magnitude"}, {"fraction", 0.5}};
  check_against_reference(interplay::test::tie_heavy({big}, 2, 101), half, false);
  Tensor pruned = sparsify(R"({"sparsifier":"magnitude","fraction":0.6})", spread({big}, 3));
  check_against_reference(pruned, half, false);  // the cut falls in 60 % zeros
  Tensor sorted = spread({1 << 20}, 4);
  std::sort(sorted.data.begin(), sorted.data.end(),
            [](float a, float b) { return std::fabs(a) < std::fabs(b); });
  check_against_reference(sorted, half, false);
  for (const std::size_t n : {std::size_t(512), std::size_t(1999), std::size_t(40000)})
    check_against_reference(coarse({n}, 10), half, false);  // small tensors: the lane plan
  for (const Shape& shape : {Shape{40, 512}, Shape{20, 777}, Shape{64, 2048}, Shape{33, 2049},
                             Shape{16, 5000}, Shape{3, 70001}})
    for (double fraction : {0.5, 0.1, 0.9}) {
      const json step{{"sparsifier", "magnitude"}, {"fraction", fraction}, {"scope", "row"}};
      check_against_reference(spread(shape, 5), step, true);
      check_against_reference(coarse(shape, 9), step, true);
      check_against_reference(interplay::test::tie_heavy(shape, 6, 89), step, true);
    }
}

TEST_CASE("magnitude: a window that misses the cut writes nothing and reports it",
          "[sparsifiers][magnitude]") {
  // The sampled path must detect a wrong window itself: hand it windows
  // below, above and around the cut, and one whose bucket is too full.
  const Tensor x = spread({100000}, 7);
  const std::size_t n = x.size(), p = n / 2;
  const auto expected = interplay::test::reference_magnitude(x, 0.5, false, -1);
  std::uint32_t cut_key = 0;  // the largest pruned key
  for (std::size_t i = 0; i < n; ++i)
    if (!expected[i]) cut_key = std::max(cut_key, sparsity::magnitude_key(x.data[i]));
  struct Window {
    std::uint32_t lo, hi;
    std::size_t max_bucket;
    bool fits;
  };
  const Window windows[] = {{cut_key - 1000, cut_key + 1000, 1000, true},
                            {cut_key, cut_key, 10, true},
                            {0, 0x7f800001u, 100000, true},
                            {cut_key + 1, cut_key + 100000, 100000, false},
                            {0, cut_key - 1, 100000, false},
                            {0, 0x7f800001u, 10, false}};
  for (int threads : {1, 2}) {
    for (const Window& w : windows) {
      INFO("window " << w.lo << ".." << w.hi << " threads " << threads);
      std::vector<std::uint8_t> keep(n, 7);
      const bool done =
          sparsity::keep_top_magnitudes_in_window(x.data.data(), n, p, threads, w.lo, w.hi, 12,
                                                  w.max_bucket, sparsity::FlagSink{keep.data()});
      CHECK(done == w.fits);
      if (done)
        CHECK(keep == expected);
      else
        CHECK(std::count(keep.begin(), keep.end(), 7) == std::ptrdiff_t(n));
    }
  }
}
