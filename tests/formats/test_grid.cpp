// The fast float32 nearest-even kernel must agree bit for bit with the
// double-precision reference on every grid the quantizers build.
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <vector>

#include "core/rng.hpp"
#include "formats/grid.hpp"
#include "support.hpp"

using namespace interplay;

namespace {

std::vector<Grid> all_grids() {
  std::vector<Grid> g;
  for (const auto& f : float_formats()) {
    g.push_back(float_grid(f, true));
    g.push_back(float_grid(f, false));
  }
  g.push_back(fixed_grid(-6, -127.0f / 64, 127.0f / 64));  // MXINT8
  g.push_back(fixed_grid(0, -127, 127));                   // INT8
  g.push_back(fixed_grid(0, -8, 7));                       // GPTQ INT4
  g.push_back(fixed_grid(0, -3, 12));                      // asymmetric INT4
  for (int e : {-20, 0, 7}) {
    const float top = std::ldexp(1.0f, e) - std::ldexp(1.0f, e - 5);
    g.push_back(fixed_grid(e - 5, -top, top));  // HBFP6
  }
  return g;
}

// Random values spread over many binades, plus exact midpoints of the grid.
std::vector<float> probe_values(const Grid& g, std::uint64_t seed) {
  std::vector<float> v;
  const double top = std::max(-double(g.lo), double(g.hi));
  const double span = std::isfinite(top) ? top * 1.5 : 1e6;
  for (std::uint64_t i = 0; i < 4000; ++i) {
    const double u = uniform53(seed, 1, i), w = uniform53(seed, 2, i);
    const double mag = span * std::pow(2.0, -30.0 * w) * u;
    v.push_back(static_cast<float>(i % 2 ? mag : -mag));
    // A midpoint: round, then add half a quantum at that exponent.
    int e;
    std::frexp(mag, &e);
    const double q = std::ldexp(1.0, std::max(e - 1, g.emin) - g.mbits);
    v.push_back(static_cast<float>((std::floor(mag / q) + 0.5) * q));
  }
  v.push_back(0.0f);
  v.push_back(-0.0f);
  return v;
}

}  // namespace

TEST_CASE("fast nearest-even kernel equals the reference on every grid", "[formats]") {
  int checked = 0;
  for (const Grid& g : all_grids()) {
    if (!g.fast) continue;
    ++checked;
    const std::vector<float> x = probe_values(g, 7 + checked);
    std::vector<float> fast(x.size());
    round_span(x.data(), fast.data(), x.size(), g, SpanScale{}, Rounding::NearestEven, Draws{},
               true);
    for (std::size_t i = 0; i < x.size(); ++i) {
      const float ref = static_cast<float>(round_to_grid(x[i], g, Rounding::NearestEven, 0.0));
      INFO("grid emin " << g.emin << " mbits " << g.mbits << " x " << x[i]);
      REQUIRE(test::same_bits(fast[i], ref));
    }
  }
  CHECK(checked >= 14);  // every narrow format takes the fast path
}

// The span kernel for stochastic rounding (formats/grid.cpp) restates the
// reference without its calls; it must give the same float for every element,
// the same draw per flat index, with any scale, stride and special value.
TEST_CASE("stochastic span kernel equals the per-element reference on every grid", "[formats]") {
  constexpr std::uint64_t kRoundingStream = 0x5eedu;  // grid.cpp's stream for rounding draws
  const float inf = std::numeric_limits<float>::infinity();
  int grid_index = 0;
  for (const Grid& g : all_grids()) {
    std::vector<float> x = probe_values(g, 100 + std::uint64_t(++grid_index));
    x.insert(x.end(), {inf, -inf, std::numeric_limits<float>::quiet_NaN(), 1e-42f, -3e-39f,
                       std::numeric_limits<float>::max()});
    const SpanScale scales[] = {SpanScale{}, SpanScale{0.25f, 4.0f, true},
                                SpanScale{0.3f, 0.0f, false}, SpanScale{1e-30f, 0.0f, false},
                                SpanScale{0x1p-126f, 0x1p126f, true}};
    for (const SpanScale& s : scales)
      for (const Draws d : {Draws{3, 0, 1}, Draws{11, 12345, 4096}}) {
        std::vector<float> out(x.size());
        round_span(x.data(), out.data(), x.size(), g, s, Rounding::Stochastic, d, false);
        for (std::size_t i = 0; i < x.size(); ++i) {
          const float v = s.pow2 ? x[i] * s.inv : x[i] / s.scale;
          const double u = uniform24(d.seed, kRoundingStream, d.index0 + i * d.stride);
          const float ref =
              static_cast<float>(round_to_grid(v, g, Rounding::Stochastic, u)) * s.scale;
          INFO("grid emin " << g.emin << " mbits " << g.mbits << " scale " << s.scale << " x "
                            << x[i]);
          REQUIRE(test::same_bits(out[i], ref));
        }
      }
  }
}

TEST_CASE("the inline stochastic draw is uniform24 of the rounding stream", "[formats]") {
  // Kernels draw with stochastic_draw (mix64 without its last xor-shift);
  // the reference with uniform24. Indices near 2^32 and 2^64 included.
  for (const std::uint64_t seed : {0ull, 1ull, 0x5eedull, ~0ull}) {
    const std::uint64_t key = stochastic_draw_key(seed);
    for (const std::uint64_t base : {0ull, (1ull << 32) - 500, ~0ull - 500})
      for (std::uint64_t i = base; i - base < 1000; ++i)
        REQUIRE(stochastic_draw(key, i) == uniform24(seed, kRoundingStream, i));
  }
  for (std::uint64_t z = 0; z < 100000; z += 7)
    REQUIRE(mix64_high(z * 0x9e3779b97f4a7c15ull) >> 33 == mix64(z * 0x9e3779b97f4a7c15ull) >> 33);
}

TEST_CASE("stochastic rounding is unbiased and reproducible by seed", "[formats]") {
  const std::size_t n = 200000;
  const Tensor x(Shape{n}, 0.3f);  // between FP4 neighbours 0 and 0.5
  auto run = [&](int seed) {
    return test::quantize(
        R"({"quantizer":"fp","format":"fp4_e2m1","rounding":"stochastic","seed":)" +
            std::to_string(seed) + "}",
        x);
  };
  const Tensor a = run(1), b = run(1), c = run(2);
  double mean = 0;
  std::size_t differ = 0;
  for (std::size_t i = 0; i < n; ++i) {
    REQUIRE((a.data[i] == 0.0f || a.data[i] == 0.5f));
    mean += a.data[i];
    differ += a.data[i] != c.data[i];
  }
  mean /= double(n);
  CHECK(std::fabs(mean - 0.3) < 0.003);  // ~5 standard errors
  CHECK(a.data == b.data);
  CHECK(differ > n / 4);
}
