// Block and random sparsifiers: hand-computed block norms and ties, ragged
// blocks, axis 0, a brute-force reference; random counts, reproducibility by
// seed, independence from values, and a loose uniformity check.
#include <omp.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <limits>
#include <numeric>

#include "core/rng.hpp"
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

std::vector<std::uint8_t> mask(const json& step, const Tensor& x) {
  auto b = sparsifiers().build(step, "sparsifier", "test");
  std::vector<std::uint8_t> keep;
  b.object->select(x, keep);
  return keep;
}

std::size_t pruned(const std::vector<std::uint8_t>& keep) {
  return std::size_t(std::count(keep.begin(), keep.end(), 0));
}

// Brute force: norms in double summed in order along the block, ids ordered
// by the flat index of the block's first element, stable sort by norm.
std::vector<std::uint8_t> reference_block(const Tensor& x, std::size_t block, double fraction,
                                          bool l2, int axis) {
  struct Block {
    std::size_t first;
    std::vector<std::size_t> members;
    double norm = 0;
  };
  std::vector<Block> blocks;
  for (const auto& lane : interplay::test::lanes_of(x.shape, axis))
    for (std::size_t k = 0; k < lane.size(); k += block) {
      Block b{lane[k], {}, 0.0};
      for (std::size_t j = k; j < std::min(lane.size(), k + block); ++j) {
        const double v = x.data[lane[j]];
        b.norm += l2 ? v * v : std::fabs(v);
        b.members.push_back(lane[j]);
      }
      blocks.push_back(b);
    }
  std::sort(blocks.begin(), blocks.end(), [](const Block& a, const Block& b) {
    const bool na = std::isnan(a.norm), nb = std::isnan(b.norm);
    if (na != nb) return nb;  // NaN norms last: pruned last
    if (!na && a.norm != b.norm) return a.norm < b.norm;
    return a.first > b.first;  // on a tie the higher block goes first
  });
  const std::size_t p = std::size_t(std::floor(double(blocks.size()) * fraction));
  std::vector<std::uint8_t> keep(x.size(), 1);
  for (std::size_t r = 0; r < p; ++r)
    for (std::size_t i : blocks[r].members) keep[i] = 0;
  return keep;
}

}  // namespace

TEST_CASE("block: prunes the blocks with the smallest norm", "[sparsifiers][block]") {
  // Block sums of squares 2, 25, 25, 0.5; sums of |x| 2, 7, 5, 1.
  const Tensor x = vec({1, 1, 3, 4, 5, 0, 0.5f, -0.5f});
  const std::string l2 = R"({"sparsifier":"block","block":2,"norm":"l2")";
  const std::string l1 = R"({"sparsifier":"block","block":2,"norm":"l1")";
  check_bits(sparsify(l2 + R"(,"fraction":0.5})", x), {0, 0, 3, 4, 5, 0, 0, 0});
  check_bits(sparsify(l1 + R"(,"fraction":0.5})", x), {0, 0, 3, 4, 5, 0, 0, 0});
  // Three of four: the l2 tie 25 = 25 keeps the lower block.
  check_bits(sparsify(l2 + R"(,"fraction":0.75})", x), {0, 0, 3, 4, 0, 0, 0, 0});
  check_bits(sparsify(l1 + R"(,"fraction":0.75})", x), {0, 0, 3, 4, 0, 0, 0, 0});
  // The norms disagree: l1 ranks (6, 0) below (3, -4), l2 above.
  const Tensor d = vec({6, 0, 3, -4});
  check_bits(sparsify(l1 + R"(,"fraction":0.5})", d), {0, 0, 3, -4});
  check_bits(sparsify(l2 + R"(,"fraction":0.5})", d), {6, 0, 0, 0});
  // Defaults: block 4, l2, half of the blocks.
  check_bits(sparsify(R"({"sparsifier":"block"})", vec({1, 2, 3, 4, -1, 0, 0, 1})),
             {1, 2, 3, 4, 0, 0, 0, 0});
}

TEST_CASE("block: ragged last block, exact block counts, ties, NaN", "[sparsifiers][block]") {
  const std::string b2 = R"({"sparsifier":"block","block":2)";
  // Blocks (1, 2), (3, 4), (10): 3 blocks; floor(1.5) = 1 and floor(2.1) = 2 pruned.
  check_bits(sparsify(b2 + R"(,"fraction":0.5})", vec({1, 2, 3, 4, 10})), {0, 0, 3, 4, 10});
  check_bits(sparsify(b2 + R"(,"fraction":0.7})", vec({1, 2, 3, 4, 10})), {0, 0, 0, 0, 10});
  // The ragged block is ranked by its own (smaller) norm.
  check_bits(sparsify(b2 + R"(,"fraction":0.5})", vec({3, 3, 4, 4, 1})), {3, 3, 4, 4, 0});
  check_bits(sparsify(b2 + R"(,"fraction":0.5})", vec({1, 1, 1, 1, 1, 1})), {1, 1, 1, 1, 0, 0});
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const Tensor y = sparsify(b2 + R"(,"fraction":0.5})", vec({nan, 0, 5, 5}));
  CHECK(std::isnan(y.data[0]));
  CHECK(y.data[2] == 0.0f);
  CHECK(y.data[3] == 0.0f);
  // 2 x 6, block 4: lanes split 4 + 2, so 4 blocks and floor(4 * 0.5) = 2 pruned.
  const Tensor g = interplay::test::gaussian({2, 6}, 3);
  const auto keep = mask(json{{"sparsifier", "block"}, {"fraction", 0.5}}, g);
  std::size_t blocks_pruned = 0;
  for (std::size_t lane = 0; lane < 2; ++lane)
    for (auto [k0, k1] : {std::pair{0, 4}, {4, 6}}) {
      const std::size_t first = lane * 6 + std::size_t(k0);
      for (std::size_t k = first; k < lane * 6 + std::size_t(k1); ++k)
        CHECK(keep[k] == keep[first]);  // whole blocks only
      blocks_pruned += keep[first] == 0;
    }
  CHECK(blocks_pruned == 2);
}

// This test also guards the build: GCC 12.2 with -mavx512f miscompiled the
// second expected vector below (after `ones`, {1, 1, 1, 1, 0, 0, 0, 0} held
// eight ones), which CMakeLists.txt avoids with -fno-tree-slp-vectorize.
TEST_CASE("block: blocks along axis 0 numbered by their first element", "[sparsifiers][block]") {
  const std::string b2 = R"({"sparsifier":"block","block":2,"axis":0)";
  // Column blocks: rows 0-1 x col 0 (ss 2), col 1 (64); rows 2-3 x col 0 (9), col 1 (4).
  const Tensor x({4, 2}, {1, 8, 1, 0, 3, 0, 0, 2});
  check_bits(sparsify(b2 + R"(,"fraction":0.5})", x), {0, 8, 0, 0, 3, 0, 0, 0});
  const Tensor ones({4, 2}, 1.0f);
  check_bits(sparsify(b2 + R"(,"fraction":0.5})", ones), {1, 1, 1, 1, 0, 0, 0, 0});
  check_bits(sparsify(b2 + R"(,"fraction":0.25})", ones), {1, 1, 1, 1, 1, 0, 1, 0});
}

TEST_CASE("block: matches a brute-force reference", "[sparsifiers][block]") {
  struct Case {
    Shape shape;
    std::size_t block;
    double fraction;
    bool l2;
    int axis;
  };
  const Case cases[] = {{{9, 130}, 4, 0.5, true, -1},   {{9, 130}, 4, 0.5, false, -1},
                        {{33, 20}, 8, 0.3, true, 0},    {{3, 17, 5}, 3, 0.6, false, 1},
                        {{400, 700}, 2, 0.5, true, -1}, {{1000}, 1000, 0.5, true, -1},
                        {{64, 9}, 5, 0.9, false, 0}};
  unsigned seed = 300;
  for (const auto& c : cases) {
    const Tensor x = interplay::test::tie_heavy(c.shape, seed++, 0);
    const json step{{"sparsifier", "block"},
                    {"block", c.block},
                    {"fraction", c.fraction},
                    {"norm", c.l2 ? "l2" : "l1"},
                    {"axis", c.axis}};
    INFO(step.dump() << " shape " << shape_string(c.shape));
    CHECK(mask(step, x) == reference_block(x, c.block, c.fraction, c.l2, c.axis));
  }
}

TEST_CASE("random: exact counts, reproducible by seed", "[sparsifiers][random]") {
  auto step = [](double fraction, int seed) {
    return json{{"sparsifier", "random"}, {"fraction", fraction}, {"seed", seed}};
  };
  const Tensor x = interplay::test::gaussian({1000}, 1);
  CHECK(pruned(mask(step(0.1, 0), x)) == 100);
  CHECK(pruned(mask(step(0.33, 0), interplay::test::gaussian({7}, 2))) == 2);    // 2.31
  CHECK(pruned(mask(step(0.5, 0), interplay::test::gaussian({3, 5}, 2))) == 7);  // 7.5
  CHECK(pruned(mask(step(0.0, 0), x)) == 0);
  CHECK(pruned(mask(step(1.0, 0), x)) == 1000);
  const Tensor big = interplay::test::gaussian({300001}, 3);
  CHECK(pruned(mask(step(0.5, 9), big)) == 150000);
  CHECK(pruned(mask(step(0.123, 9), big)) == 36900);  // 36900.123

  CHECK(mask(step(0.5, 7), x) == mask(step(0.5, 7), x));
  CHECK(mask(step(0.5, 7), x) != mask(step(0.5, 8), x));
  // The mask depends on the seed and the size only, never on the values.
  CHECK(mask(step(0.5, 7), x) == mask(step(0.5, 7), interplay::test::gaussian({1000}, 99)));
  // Kept values are copied, pruned ones are +0.
  const Tensor y = sparsify(step(0.5, 3).dump(), x);
  const auto keep = mask(step(0.5, 3), x);
  for (std::size_t i = 0; i < x.size(); ++i)
    CHECK(same_bits(y.data[i], keep[i] ? x.data[i] : 0.0f));
}

TEST_CASE("random: every position is pruned about equally often", "[sparsifiers][random]") {
  const Tensor x = interplay::test::gaussian({8}, 1);
  std::vector<int> hits(8, 0);
  const int seeds = 2000;
  for (int s = 0; s < seeds; ++s) {
    const auto keep = mask(json{{"sparsifier", "random"}, {"fraction", 0.5}, {"seed", s}}, x);
    REQUIRE(pruned(keep) == 4);
    for (std::size_t i = 0; i < 8; ++i) hits[i] += keep[i] == 0;
  }
  // Each position: Binomial(2000, 1/2), sd ~ 22.4; allow 5 sd.
  for (int h : hits) CHECK(std::abs(h - seeds / 2) < 112);
}

// The random mask against a full sort of the documented keys
// (counter_hash(seed, "RANDSPAR", i), prune the smallest, a tie keeps the
// lower index), on sizes below and above the one-pass window selection's
// threshold (2^16) and fractions near the ends, where the window is clamped.
TEST_CASE("random: mask equals a full sort of the counter-hash keys", "[sparsifiers][random]") {
  constexpr std::uint64_t kStream = 0x52414e4453504152ULL;  // "RANDSPAR"
  for (const std::size_t n : {std::size_t(1000), std::size_t(65536), std::size_t(200003)})
    for (const double fraction : {0.0001, 0.123, 0.5, 0.9999})
      for (const int seed : {0, 5}) {
        INFO("n " << n << " fraction " << fraction << " seed " << seed);
        std::vector<std::size_t> order(n);
        std::iota(order.begin(), order.end(), std::size_t(0));
        std::vector<std::uint64_t> key(n);
        for (std::size_t i = 0; i < n; ++i) key[i] = counter_hash(std::uint64_t(seed), kStream, i);
        std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
          return key[a] < key[b] || (key[a] == key[b] && a > b);
        });
        const auto p = std::size_t(std::floor(double(n) * fraction));
        std::vector<std::uint8_t> expected(n, 1);
        for (std::size_t r = 0; r < p; ++r) expected[order[r]] = 0;
        const json step{{"sparsifier", "random"}, {"fraction", fraction}, {"seed", seed}};
        const Tensor x = interplay::test::gaussian({n}, 4);
        CHECK(mask(step, x) == expected);
        const Tensor y = sparsify(step.dump(), x);
        bool same = true;
        for (std::size_t i = 0; i < n; ++i)
          same = same && same_bits(y.data[i], expected[i] ? x.data[i] : 0.0f);
        CHECK(same);
      }
}

// The window pass (AVX-512 where available, a scalar head and tail) against
// the full sort, with one to three threads, into a separate output and in
// place; sizes whose thread shares and line boundaries fall unevenly, and
// fractions whose window reaches the ends of the key range.
TEST_CASE("random: the window path matches a full sort with 1 to 3 threads",
          "[sparsifiers][random]") {
  constexpr std::uint64_t kStream = 0x52414e4453504152ULL;  // "RANDSPAR"
  const int saved = omp_get_max_threads();
  for (const std::size_t n : {std::size_t(65537), std::size_t(300001)}) {
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), std::size_t(0));
    std::vector<std::uint64_t> key(n);
    for (std::size_t i = 0; i < n; ++i) key[i] = counter_hash(7, kStream, i);
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      return key[a] < key[b] || (key[a] == key[b] && a > b);
    });
    for (const double fraction : {0.5, 0.3, 0.0001, 0.9999}) {
      std::vector<std::uint8_t> expected(n, 1);
      for (std::size_t r = 0; r < std::size_t(std::floor(double(n) * fraction)); ++r)
        expected[order[r]] = 0;
      const json step{{"sparsifier", "random"}, {"fraction", fraction}, {"seed", 7}};
      const Tensor x = interplay::test::gaussian({n}, 6);
      for (int threads : {1, 2, 3}) {
        omp_set_num_threads(threads);
        INFO("n " << n << " fraction " << fraction << " threads " << threads);
        CHECK(mask(step, x) == expected);
        auto b = sparsifiers().build(step, "sparsifier", "test");
        Tensor y, z = x;
        b.object->sparsify(x, y);
        b.object->sparsify(z, z);
        bool same = true;
        for (std::size_t i = 0; i < n; ++i) {
          const float want = expected[i] ? x.data[i] : 0.0f;
          same = same && same_bits(y.data[i], want) && same_bits(z.data[i], want);
        }
        CHECK(same);
      }
      omp_set_num_threads(saved);
    }
  }
}

// In place (a pipeline sparsifies its running tensor in place) the result
// must be the same as into a separate output, also on the one-pass window
// path of big tensors, whose candidates are settled after the pass.
TEST_CASE("random: in place equals out of place", "[sparsifiers][random]") {
  for (const std::size_t n : {std::size_t(1000), std::size_t(200003)}) {
    const json step{{"sparsifier", "random"}, {"fraction", 0.5}, {"seed", 3}};
    const Tensor x = interplay::test::gaussian({n}, 5);
    const Tensor y = sparsify(step.dump(), x);
    auto b = sparsifiers().build(step, "sparsifier", "test");
    Tensor z = x;
    b.object->sparsify(z, z);
    INFO("n " << n);
    CHECK(std::memcmp(y.data.data(), z.data.data(), n * sizeof(float)) == 0);
  }
}
