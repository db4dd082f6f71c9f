// OCP MX v1.0: hand-computed blocks (scale = 2^(floor(log2 amax) - emax_elem)).
#include <catch2/catch.hpp>
#include <cmath>

#include "support.hpp"

using namespace interplay;
using interplay::test::quantize;
using interplay::test::same_bits;
using interplay::test::vec;

TEST_CASE("MXFP4: scale from amax, saturation and ties to even", "[quantizers][mx]") {
  // amax 7 -> floor(log2 7) = 2 = emax(E2M1) -> X = 1; 7 saturates to 6.
  const Tensor y =
      quantize(R"({"quantizer":"mxfp4"})", vec({6, 7, -0.25f, 0.75f, 2.5f, 5, 0.3f, 0}));
  const float expected[] = {6, 6, -0.0f, 1, 2, 4, 0.5f, 0};
  for (int i = 0; i < 8; ++i) CHECK(same_bits(y.data[i], expected[i]));
  const Tensor a = quantize(R"({"quantizer":"mxfp4","rounding":"nearest_away"})",
                            vec({6, 7, -0.25f, 0.75f, 2.5f, 5, 0.3f, 0}));
  const float away[] = {6, 6, -0.5f, 1, 3, 6, 0.5f, 0};
  for (int i = 0; i < 8; ++i) CHECK(same_bits(a.data[i], away[i]));
}

TEST_CASE("MXFP8 E4M3: scale 2, element saturation at 448", "[quantizers][mx]") {
  // amax 1000 -> floor(log2) 9 - 8 = 1 -> X = 2; 500 rounds to 512 > 448 -> 448.
  const Tensor y = quantize(R"({"quantizer":"mxfp8_e4m3"})", vec({1000, 1, 3.3f}));
  CHECK(y.data[0] == 896.0f);
  CHECK(y.data[1] == 1.0f);
  CHECK(y.data[2] == 3.25f);  // 1.65 -> 13/8
}

TEST_CASE("MXINT8: sign + 1.6 fixed point, clamped to 127/64", "[quantizers][mx]") {
  const Tensor y = quantize(R"({"quantizer":"mxint8"})", vec({3, 1.7f, -0.01f, 0x1p-8f}));
  CHECK(y.data[0] == 3.0f);
  CHECK(y.data[1] == 1.6875f);  // 0.85 * 64 = 54.4 -> 54, times X = 2
  CHECK(same_bits(y.data[2], -0.0f));
  CHECK(y.data[3] == 0.0f);
  const Tensor c = quantize(R"({"quantizer":"mxint8"})", vec({1.999f, -1.999f}));
  CHECK(c.data[0] == 127.0f / 64);
  CHECK(c.data[1] == -127.0f / 64);
}

TEST_CASE("MX: all-zero block stays zero, NaN/Inf poison only their block", "[quantizers][mx]") {
  std::vector<float> v(64, 0.0f);
  v[3] = -0.0f;
  v[40] = NAN;
  v[41] = 1.0f;
  const Tensor y = quantize(R"({"quantizer":"mxfp6_e3m2"})", vec(v));
  for (int i = 0; i < 32; ++i) CHECK(same_bits(y.data[i], v[i]));
  for (int i = 32; i < 64; ++i) CHECK(std::isnan(y.data[i]));
  v[40] = -INFINITY;
  const Tensor z = quantize(R"({"quantizer":"mxfp6_e3m2"})", vec(v));
  for (int i = 32; i < 64; ++i) CHECK(std::isnan(z.data[i]));
}

TEST_CASE("MX: the E8M0 scale clamps at 2^-127", "[quantizers][mx]") {
  // amax = 1.75 * 2^-126: unclamped X = 2^-128 would give 7 -> 6; with X = 2^-127
  // the element is 3.5 -> 4 (tie to even), so the output is 2^-125.
  const float x = 1.75f * 0x1p-126f;
  const Tensor y = quantize(R"({"quantizer":"mxfp4"})", vec({x}));
  CHECK(y.data[0] == 0x1p-125f);
  // Float subnormals as inputs: amax 2^-140 -> X = 2^-127, elements 2^-13 round to 0 in E4M3.
  const Tensor z = quantize(R"({"quantizer":"mxfp8_e4m3"})", vec({0x1p-140f, -0x1p-141f}));
  CHECK(z.data[0] == 0.0f);
  CHECK(same_bits(z.data[1], -0.0f));
  // E5M2 reaches further down: 2^-130 / 2^-127 = 2^-3 is representable.
  const Tensor w = quantize(R"({"quantizer":"mxfp8_e5m2"})", vec({0x1p-130f}));
  CHECK(w.data[0] == 0x1p-130f);
}

TEST_CASE("MX: ragged last block gets its own scale", "[quantizers][mx]") {
  std::vector<float> v(33, 100.0f);
  v[32] = 0.3f;  // alone in block 2: X = 2^(floor(log2 0.3) - 2) = 2^-4, 0.3*16 = 4.8 -> 4
  const Tensor y = quantize(R"({"quantizer":"mxfp4"})", vec(v));
  CHECK(y.data[32] == 0.25f);
  CHECK(y.data[0] == 96.0f);  // X = 2^(6-2) = 16, 100/16 = 6.25 -> 6
}

TEST_CASE("MX along axis 0 equals the transposed problem along the last axis", "[quantizers][mx]") {
  const std::size_t R = 70, C = 5;
  Tensor x({R, C}), xt({C, R});
  for (std::size_t r = 0; r < R; ++r)
    for (std::size_t c = 0; c < C; ++c)
      xt.data[c * R + r] = x.data[r * C + c] = std::sin(0.37f * float(r * C + c)) * float(1 + c);
  const Tensor y = quantize(R"({"quantizer":"mxfp6_e2m3","axis":0})", x);
  const Tensor yt = quantize(R"({"quantizer":"mxfp6_e2m3"})", xt);
  for (std::size_t r = 0; r < R; ++r)
    for (std::size_t c = 0; c < C; ++c) CHECK(same_bits(y.data[r * C + c], yt.data[c * R + r]));
}

TEST_CASE("bits per element include every scale, amortised over the shape", "[quantizers][bits]") {
  auto bits = [](const char* step, Shape shape) {
    return quantizers().build(json::parse(step), "quantizer", "t").object->bits_per_element(shape);
  };
  const Shape w{64, 256};                                   // 16384 elements, 64 rows of 256
  CHECK(bits(R"({"quantizer":"mxfp8_e4m3"})", w) == 8.25);  // 8 bits of E8M0 per 32
  CHECK(bits(R"({"quantizer":"mxfp6_e3m2"})", w) == 6.25);
  CHECK(bits(R"({"quantizer":"mxfp4"})", w) == 4.25);
  CHECK(bits(R"({"quantizer":"mxint8"})", w) == 8.25);
  CHECK(bits(R"({"quantizer":"hbfp8"})", w) == 8.125);
  // A ragged last block still carries a whole scale: 2 blocks of <= 32 per row of 40.
  CHECK(bits(R"({"quantizer":"mxfp4"})", {3, 40}) == 4.0 + 8.0 * 6 / 120);
  // NVFP4: 1024 E4M3 scales (one per 16) + one FP32 tensor scale over 16384.
  CHECK(bits(R"({"quantizer":"nvfp4"})", w) == 4.0 + (8.0 * 1024 + 32.0) / 16384);
  CHECK(bits(R"({"quantizer":"nvfp4"})", {16}) == 4.0 + (8.0 + 32.0) / 16);
  // INT8 per channel (channel_axis 0: one FP32 scale per row of 256).
  CHECK(bits(R"({"quantizer":"int8"})", w) == 8.0 + 32.0 / 256);
  // ... channel_axis 1: one scale per column of 64.
  CHECK(bits(R"({"quantizer":"int8","channel_axis":1})", w) == 8.0 + 32.0 / 64);
  // Rank 4 [out, in, kh, kw]: one scale per output filter of 3*3*3 = 27 elements.
  CHECK(bits(R"({"quantizer":"int8"})", {4, 3, 3, 3}) == 8.0 + 32.0 / 27);
  // Asymmetric adds an 8-bit zero point per scale; per tensor: one scale in all.
  CHECK(bits(R"({"quantizer":"int8","scheme":"asymmetric"})", w) == 8.0 + 40.0 / 256);
  CHECK(bits(R"({"quantizer":"int8","granularity":"tensor"})", w) == 8.0 + 32.0 / 16384);
  CHECK(bits(R"({"quantizer":"int","bits":4,"granularity":"group","block":128})", w) ==
        4.0 + 32.0 / 128);
  // FP: unscaled is the element width; tensor / channel scales are FP32.
  CHECK(bits(R"({"quantizer":"fp8_e4m3"})", w) == 8.0);
  CHECK(bits(R"({"quantizer":"fp8_e4m3","scale":"tensor"})", w) == 8.0 + 32.0 / 16384);
  CHECK(bits(R"({"quantizer":"fp8_e4m3","scale":"channel"})", w) == 8.0 + 32.0 / 256);
  // An empty tensor has no scales to amortise.
  CHECK(bits(R"({"quantizer":"nvfp4"})", {0, 16}) == 4.0);
}
