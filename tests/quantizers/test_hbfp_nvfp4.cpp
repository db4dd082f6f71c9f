// HBFP (shared exponent ceil(log2 amax), m-bit magnitudes) and NVFP4
// (two-level E4M3 x FP32 scaling): hand-computed blocks.
#include <catch2/catch.hpp>
#include <cmath>

#include "support.hpp"

using namespace interplay;
using interplay::test::quantize;
using interplay::test::same_bits;
using interplay::test::vec;

TEST_CASE("HBFP4: step 2^(e-3), clamp at 2^e - step", "[quantizers][hbfp]") {
  // amax 1 -> e = 0, step 1/8, max 7/8.
  const Tensor y = quantize(R"({"quantizer":"hbfp4"})", vec({1, 0.3f, -0.7f}));
  CHECK(y.data[0] == 0.875f);
  CHECK(y.data[1] == 0.25f);
  CHECK(y.data[2] == -0.75f);
  // amax 3 -> e = 2, step 1/2, max 3.5; ties to even units.
  const Tensor z = quantize(R"({"quantizer":"hbfp4"})", vec({3, 0.3f, -0.7f, 1.26f, 0.25f, 0.75f}));
  const float expected[] = {3, 0.5f, -0.5f, 1.5f, 0, 1};
  for (int i = 0; i < 6; ++i) CHECK(z.data[i] == expected[i]);
}

TEST_CASE("HBFP8: all-zero block, NaN block, ragged tail", "[quantizers][hbfp]") {
  std::vector<float> v(65, 0.0f);
  v[64] = 5.0f;  // alone in block 2: e = 3, step 2^-4: exact
  const Tensor y = quantize(R"({"quantizer":"hbfp8"})", vec(v));
  for (int i = 0; i < 64; ++i) CHECK(y.data[i] == 0.0f);
  CHECK(y.data[64] == 5.0f);
  v[0] = NAN;
  const Tensor z = quantize(R"({"quantizer":"hbfp8"})", vec(v));
  for (int i = 0; i < 64; ++i) CHECK(std::isnan(z.data[i]));
  CHECK(z.data[64] == 5.0f);
}

TEST_CASE("HBFP: a power-of-two amax is clamped (e = log2 amax exactly)", "[quantizers][hbfp]") {
  // amax 4 -> e = 2, max = 4 - 4/128 for m = 7.
  const Tensor y = quantize(R"({"quantizer":"hbfp8"})", vec({4, -4, 1}));
  CHECK(y.data[0] == 4.0f - 4.0f / 128);
  CHECK(y.data[1] == -(4.0f - 4.0f / 128));
  CHECK(y.data[2] == 1.0f);
}

TEST_CASE("HBFP is not idempotent when amax rounds down to a power of two", "[quantizers][hbfp]") {
  // A property of the definition, documented: 0.51 -> 0.5 (e = 0, step 1/8);
  // re-quantizing 0.5 gives e = -1 and max 0.4375.
  const Tensor once = quantize(R"({"quantizer":"hbfp4"})", vec({0.51f, 0.45f}));
  CHECK(once.data[0] == 0.5f);
  const Tensor twice = quantize(R"({"quantizer":"hbfp4"})", once);
  CHECK(twice.data[0] == 0.4375f);
}

TEST_CASE("NVFP4: E4M3 block scales under a per-tensor FP32 scale", "[quantizers][nvfp4]") {
  std::vector<float> v(32, 0.0f);
  v[0] = 6, v[1] = 3, v[2] = 1.2f;  // block 1: amax 6 -> s = e4m3(448) = 448, d = 1
  v[16] = 3, v[17] = 0.6f;          // block 2: s = e4m3(224) = 224, d = 0.5
  const Tensor y = quantize(R"({"quantizer":"nvfp4"})", vec(v));
  CHECK(y.data[0] == 6.0f);
  CHECK(y.data[1] == 3.0f);
  CHECK(y.data[2] == 1.0f);
  CHECK(y.data[16] == 3.0f);
  CHECK(y.data[17] == 0.5f);
  for (int i = 18; i < 32; ++i) CHECK(y.data[i] == 0.0f);
}

TEST_CASE("NVFP4: block scale is rounded to E4M3", "[quantizers][nvfp4]") {
  std::vector<float> v(32, 0.0f);
  v[0] = 6;      // tensor amax 6 -> g = 448
  v[16] = 1.1f;  // (1.1/6)*448 = 82.13 -> E4M3 step 8 in [64,128): 80; d = 80/448
  const Tensor y = quantize(R"({"quantizer":"nvfp4"})", vec(v));
  const float d = 80.0f / 448.0f;
  // 1.1 / d = 6.16 -> saturates to 6
  CHECK(y.data[16] == 6.0f * d);
}
