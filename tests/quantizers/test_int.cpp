// Integer schemes: symmetric, GPTQ asymmetric and GPTQ symmetric, with the
// float32 arithmetic of the reference code (x / scale, round, clamp, * scale).
#include <omp.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>

#include "core/rng.hpp"
#include "support.hpp"

using namespace interplay;
using interplay::test::quantize;
using interplay::test::same_bits;
using interplay::test::vec;

TEST_CASE("INT symmetric per tensor: levels +-(2^(b-1)-1), ties to even", "[quantizers][int]") {
  const auto x = vec({7, -3.5f, 1.2f, 0.5f});  // amax 7, qmax 7 -> scale 1
  const Tensor y = quantize(R"({"quantizer":"int","bits":4,"granularity":"tensor"})", x);
  const float even[] = {7, -4, 1, 0};
  for (int i = 0; i < 4; ++i) CHECK(y.data[i] == even[i]);
  const Tensor a = quantize(
      R"({"quantizer":"int","bits":4,"granularity":"tensor","rounding":"nearest_away"})", x);
  const float away[] = {7, -4, 1, 1};
  for (int i = 0; i < 4; ++i) CHECK(a.data[i] == away[i]);
  const Tensor z = quantize(
      R"({"quantizer":"int","bits":4,"granularity":"tensor","rounding":"toward_zero"})", x);
  const float trunc[] = {7, -3, 1, 0};
  for (int i = 0; i < 4; ++i) CHECK(z.data[i] == trunc[i]);
}

TEST_CASE("INT asymmetric follows the GPTQ reference quantizer", "[quantizers][int]") {
  // xmin -1, xmax 2, 2 bits: scale (2 - -1)/3 = 1, zero = round(1) = 1, levels -1..2.
  const Tensor y =
      quantize(R"({"quantizer":"int","bits":2,"scheme":"asymmetric","granularity":"tensor"})",
               vec({-1, 0, 0.5f, 2, 1.5f}));
  const float expected[] = {-1, 0, 0, 2, 2};  // 0.5 and 1.5 tie to even
  for (int i = 0; i < 5; ++i) CHECK(y.data[i] == expected[i]);
  // All-positive data: xmin is taken as 0, so zero = 0.
  const Tensor p =
      quantize(R"({"quantizer":"int","bits":2,"scheme":"asymmetric","granularity":"tensor"})",
               vec({3, 1.4f, 0.2f}));
  CHECK(p.data[0] == 3);
  CHECK(p.data[1] == 1);
  CHECK(p.data[2] == 0);
  // All-zero data: the range becomes [-1, 1] and zeros stay zero.
  const Tensor z = quantize(
      R"({"quantizer":"int","bits":4,"scheme":"asymmetric","granularity":"tensor"})", vec({0, 0}));
  CHECK(z.data[0] == 0.0f);
}

TEST_CASE("INT gptq_symmetric: scale 2 amax/(2^b-1), levels -2^(b-1)..2^(b-1)-1",
          "[quantizers][int]") {
  const Tensor y =
      quantize(R"({"quantizer":"int","bits":4,"scheme":"gptq_symmetric","granularity":"tensor"})",
               vec({-7.5f, 7.5f, 1.0f, 0.25f}));
  const float expected[] = {-8, 7, 1, 0};  // scale 15/15 = 1; -7.5 ties to -8, 8 clamps to 7
  for (int i = 0; i < 4; ++i) CHECK(y.data[i] == expected[i]);
}

TEST_CASE("INT per channel and per group use the reference float32 arithmetic",
          "[quantizers][int]") {
  const Tensor x({2, 4}, {1, 2, -0.5f, 0.25f, 10, -20, 3, 0.1f});
  const Tensor y = quantize(R"({"quantizer":"int8"})", x);  // per channel along the last axis
  for (int r = 0; r < 2; ++r) {
    const float s = (r == 0 ? 2.0f : 20.0f) / 127.0f;
    for (int c = 0; c < 4; ++c) {
      const float v = x.data[r * 4 + c];
      CHECK(y.data[r * 4 + c] == std::nearbyint(v / s) * s);
    }
  }
  const Tensor g = quantize(R"({"quantizer":"int","granularity":"group","block":2})", x);
  const float s0 = 2.0f / 127.0f, s1 = 0.5f / 127.0f;
  CHECK(g.data[0] == std::nearbyint(1.0f / s0) * s0);
  CHECK(g.data[3] == std::nearbyint(0.25f / s1) * s1);
  CHECK(g.data[2] == std::nearbyint(-0.5f / s1) * s1);
  // channel_axis 1: one scale per column.
  const Tensor c = quantize(R"({"quantizer":"int8","channel_axis":1})", x);
  const float sc = 20.0f / 127.0f;
  CHECK(c.data[1] == std::nearbyint(2.0f / sc) * sc);
}

TEST_CASE("INT clipping: percentile and MSE shrink the range", "[quantizers][int]") {
  std::vector<float> v(1000);
  for (int i = 0; i < 1000; ++i) v[i] = float(i % 10) / 10.0f;
  v[0] = 100.0f;  // one outlier
  const Tensor x = vec(v);
  const Tensor amax = quantize(R"({"quantizer":"int","bits":4,"granularity":"tensor"})", x);
  const Tensor pct = quantize(
      R"({"quantizer":"int","bits":4,"granularity":"tensor","clip":"percentile","percentile":99})",
      x);
  const Tensor mse =
      quantize(R"({"quantizer":"int","bits":4,"granularity":"tensor","clip":"mse"})", x);
  auto sq = [&](const Tensor& y) {
    double e = 0;
    for (std::size_t i = 1; i < v.size(); ++i) e += (y.data[i] - v[i]) * (y.data[i] - v[i]);
    return e;
  };
  CHECK(sq(pct) < sq(amax));  // the bulk is resolved better once the outlier is clipped
  CHECK(pct.data[0] == Approx(0.9).epsilon(1e-6));  // the outlier clamps to the 99th percentile
  auto total = [&](const Tensor& y) {
    double e = 0;
    for (std::size_t i = 0; i < v.size(); ++i) e += std::pow(std::fabs(y.data[i] - v[i]), 2.4);
    return e;
  };
  CHECK(total(mse) <= total(amax));  // the search includes p = 1
}

TEST_CASE("INT rejects bad parameters with the parameter named", "[quantizers][int]") {
  CHECK_THROWS_WITH(quantize(R"({"quantizer":"int","bits":17})", vec({1})),
                    Catch::Contains("bits") && Catch::Contains("2..16"));
  CHECK_THROWS_WITH(quantize(R"({"quantizer":"int","bitz":4})", vec({1})),
                    Catch::Contains("did you mean 'bits'"));
  CHECK_THROWS_WITH(quantize(R"({"quantizer":"int","scheme":"sym"})", vec({1})),
                    Catch::Contains("scheme"));
  CHECK_THROWS_WITH(quantize(R"({"quantizer":"mxfp5"})", vec({1})),
                    Catch::Contains("did you mean 'mxfp4'"));
}

// Per tensor, the range is taken and the elements rounded in parallel chunks;
// the result must be that of one block holding the whole (flat) tensor, which
// the block path computes on one thread: nearest and stochastic, MSE and
// percentile clipping, one and two threads, and a NaN.
TEST_CASE("INT per tensor in parallel equals one block of the whole tensor", "[quantizers][int]") {
  const std::size_t n = 200003;  // several reduction and rounding chunks, ragged
  Tensor x({n});
  for (std::size_t i = 0; i < n; ++i)
    x.data[i] = float((uniform53(4, 0, i) - 0.3) * std::exp(3 * uniform53(4, 1, i)));
  Tensor with_nan = x;
  with_nan.data[123456] = std::nanf("");
  const int saved = omp_get_max_threads();
  for (const char* extra :
       {R"("bits":8)", R"("bits":4,"rounding":"stochastic","seed":5)",
        R"("bits":4,"clip":"mse","mse_grid":20)",
        R"("bits":8,"scheme":"asymmetric","clip":"percentile","percentile":99.9)"})
    for (const Tensor* in : {&x, &with_nan})
      for (int threads : {1, 2}) {
        const std::string base = std::string(R"({"quantizer":"int",)") + extra;
        omp_set_num_threads(threads);
        const Tensor tensor = quantize(base + R"(,"granularity":"tensor"})", *in);
        const Tensor block =
            quantize(base + R"(,"granularity":"block","block":)" + std::to_string(n) + "}", *in);
        INFO(base << " threads " << threads << (in == &x ? "" : " with a NaN"));
        CHECK(std::memcmp(tensor.data.data(), block.data.data(), n * sizeof(float)) == 0);
      }
  omp_set_num_threads(saved);
}
