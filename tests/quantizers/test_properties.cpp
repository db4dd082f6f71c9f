// Properties every preset must have on random tensors: sign symmetry, grid
// membership, idempotence where the definition implies it, and results that
// do not depend on the number of threads.
#include <omp.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <limits>
#include <set>

#include "core/rng.hpp"
#include "formats/bits.hpp"
#include "formats/float_format.hpp"
#include "support.hpp"

using namespace interplay;

namespace {

// Normal values with a few large outliers, ragged against every block size.
Tensor random_tensor(Shape shape, std::uint64_t seed) {
  Tensor t(std::move(shape));
  for (std::size_t i = 0; i < t.size(); ++i) {
    const double u1 = uniform53(seed, 0, i) + 1e-300, u2 = uniform53(seed, 1, i);
    double v = std::sqrt(-2 * std::log(u1)) * std::cos(6.283185307179586 * u2);
    if (i % 97 == 5) v *= 30;
    t.data[i] = static_cast<float>(v);
  }
  return t;
}

std::string step(const std::string& name) {
  return R"({"quantizer":")" + name + "\"}";
}

}  // namespace

TEST_CASE("every symmetric configuration is odd: q(-x) = -q(x)", "[quantizers][properties]") {
  const Tensor x = random_tensor({13, 101}, 3);
  Tensor neg = x;
  for (auto& v : neg.data) v = -v;
  // Every preset and plugin default; a min/max (asymmetric) range is not odd.
  for (const auto& p : quantizers().configurations()) {
    if (quantizers().describe(p).statistic == ScaleStatistic::MinMax) continue;
    const Tensor y = test::quantize(step(p), x), yn = test::quantize(step(p), neg);
    for (std::size_t i = 0; i < x.size(); ++i) {
      INFO(p << " at " << i);
      REQUIRE(test::same_bits(yn.data[i], -y.data[i]));
    }
  }
}

TEST_CASE("MX and FP presets are idempotent; INT and NVFP4 up to scale rounding",
          "[quantizers][properties]") {
  const Tensor x = random_tensor({9, 130}, 4);
  for (const char* p : {"fp8_e4m3", "fp8_e5m2", "mxfp8_e4m3", "mxfp8_e5m2", "mxfp6_e3m2",
                        "mxfp6_e2m3", "mxfp4", "mxint8"}) {
    const Tensor y = test::quantize(step(p), x), yy = test::quantize(step(p), y);
    INFO(p);
    CHECK(yy.data == y.data);
  }
  // Their scale amax/qmax is recomputed from a rounded amax: equal up to float rounding.
  for (const char* p : {"int8", "int4", "nvfp4"}) {
    const Tensor y = test::quantize(step(p), x), yy = test::quantize(step(p), y);
    for (std::size_t i = 0; i < x.size(); ++i) {
      INFO(p << " at " << i);
      REQUIRE(std::fabs(yy.data[i] - y.data[i]) <= 1e-5f * (1 + std::fabs(y.data[i])));
    }
  }
}

TEST_CASE("MX outputs lie on the element grid times the block scale", "[quantizers][properties]") {
  const Tensor x = random_tensor({4, 100}, 5);
  const std::pair<const char*, const char*> cases[] = {{"mxfp8_e4m3", "fp8_e4m3"},
                                                       {"mxfp8_e5m2", "fp8_e5m2"},
                                                       {"mxfp6_e3m2", "fp6_e3m2"},
                                                       {"mxfp6_e2m3", "fp6_e2m3"},
                                                       {"mxfp4", "fp4_e2m1"}};
  for (auto [preset, element] : cases) {
    const auto& f = float_format(element);
    std::set<double> grid;
    for (unsigned c = 0; c < (1u << f.bits()); ++c)
      if (std::isfinite(f.decode(c))) grid.insert(f.decode(c));
    const Tensor y = test::quantize(step(preset), x);
    for (std::size_t r = 0; r < 4; ++r)
      for (std::size_t b0 = 0; b0 < 100; b0 += 32) {
        const std::size_t n = std::min<std::size_t>(32, 100 - b0);
        const float* in = &x.data[r * 100 + b0];
        const SpanAmax m = span_amax(in, n);
        const double X = std::ldexp(1.0, floor_log2(m.amax) - f.emax());
        for (std::size_t i = 0; i < n; ++i) {
          INFO(preset << " row " << r << " element " << b0 + i);
          REQUIRE(grid.count(double(y.data[r * 100 + b0 + i]) / X) == 1);
        }
      }
  }
}

TEST_CASE("results are identical for 1 and 2 threads, stochastic rounding included",
          "[quantizers][properties]") {
  const Tensor x = random_tensor({300, 257}, 6);
  const int saved = omp_get_max_threads();
  for (const char* s :
       {R"({"quantizer":"mxfp4","rounding":"stochastic","seed":9})",
        R"({"quantizer":"hbfp6","axis":0})", R"({"quantizer":"int4","channel_axis":1})",
        R"({"quantizer":"int4","channel_axis":1,"rounding":"stochastic"})",
        R"({"quantizer":"nvfp4"})", R"({"quantizer":"fp","format":"fp8_e4m3","scale":"tensor"})",
        R"({"quantizer":"int","bits":8,"granularity":"tensor","rounding":"stochastic"})"}) {
    omp_set_num_threads(1);
    const Tensor one = test::quantize(s, x);
    omp_set_num_threads(2);
    const Tensor two = test::quantize(s, x);
    INFO(s);
    CHECK(one.data == two.data);
  }
  omp_set_num_threads(saved);
}

// Pipelines quantize their running tensor in place: every configuration, with
// nearest and stochastic rounding, along the default and strided axes and
// with tensor and channel scales where it has them, must give the same bits
// in place as out of place, also around NaN, Inf and values that overflow
// when scaled (the kernels that redo such elements must not read an input
// they overwrote).
TEST_CASE("every configuration gives the same bits in place, NaN and Inf included",
          "[quantizers][properties][nonfinite]") {
  Tensor x = random_tensor({64, 96}, 11);
  const float inf = std::numeric_limits<float>::infinity();
  for (const std::size_t i : {5, 700, 2049, 4000}) x.data[i] = std::nanf("");
  for (const std::size_t i : {300, 3333}) x.data[i] = inf;
  for (const std::size_t i : {1500, 5000}) x.data[i] = -inf;
  for (const std::size_t i : {900, 5555}) x.data[i] = 3e38f;
  const json variants[] = {json::object(), json{{"axis", 0}}, json{{"channel_axis", 1}},
                           json{{"scale", "tensor"}}, json{{"scale", "channel"}}};
  std::vector<std::size_t> built(std::size(variants), 0);
  const auto configurations = quantizers().configurations();
  for (const std::string& name : configurations)
    for (std::size_t v = 0; v < std::size(variants); ++v)
      for (const char* rounding : {"nearest_even", "stochastic"}) {
        json s = json::parse(step(name));
        s.update(variants[v]);
        s["rounding"] = rounding;
        Built<Quantizer> b;
        try {
          b = quantizers().build(s, "quantizer", "test");
        } catch (const Error&) {
          continue;  // a configuration without this parameter or rounding
        }
        ++built[v];
        Tensor apart, in_place = x;
        b.object->quantize(x, apart);
        b.object->quantize(in_place, in_place);
        INFO(s.dump());
        CHECK(std::memcmp(apart.data.data(), in_place.data.data(), x.size() * sizeof(float)) == 0);
      }
  // Every variant applies to some configurations (a renamed parameter fails).
  for (std::size_t v = 0; v < std::size(variants); ++v) {
    INFO(variants[v].dump());
    CHECK(built[v] >= 2);
  }
}
