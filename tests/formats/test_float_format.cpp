// Element formats: derived constants against the OCP / IEEE definitions, and
// every code point of every narrow format through the `fp` quantizer.
#include <catch2/catch.hpp>
#include <cmath>

#include "formats/float_format.hpp"
#include "support.hpp"

using namespace interplay;
using interplay::test::quantize;
using interplay::test::same_bits;

TEST_CASE("element format constants match their definitions", "[formats]") {
  CHECK(float_format("fp8_e4m3").max_value() == 448.0);
  CHECK(float_format("fp8_e4m3").min_subnormal() == std::ldexp(1.0, -9));
  CHECK(float_format("fp8_e4m3").emax() == 8);
  CHECK(float_format("fp8_e5m2").max_value() == 57344.0);
  CHECK(float_format("fp8_e5m2").min_subnormal() == std::ldexp(1.0, -16));
  CHECK(float_format("fp8_e5m2").emax() == 15);
  CHECK(float_format("fp6_e3m2").max_value() == 28.0);
  CHECK(float_format("fp6_e3m2").min_subnormal() == 0.0625);
  CHECK(float_format("fp6_e3m2").emax() == 4);
  CHECK(float_format("fp6_e2m3").max_value() == 7.5);
  CHECK(float_format("fp6_e2m3").min_subnormal() == 0.125);
  CHECK(float_format("fp6_e2m3").emax() == 2);
  CHECK(float_format("fp4_e2m1").max_value() == 6.0);
  CHECK(float_format("fp4_e2m1").min_subnormal() == 0.5);
  CHECK(float_format("fp4_e2m1").emax() == 2);
  CHECK(float_format("fp16").max_value() == 65504.0);
  CHECK(float_format("bf16").max_value() == double(std::ldexp(255.0 / 128.0, 127)));
}

TEST_CASE("FP4 E2M1 decodes to the OCP value table", "[formats]") {
  const double expected[8] = {0, 0.5, 1, 1.5, 2, 3, 4, 6};
  const auto& f = float_format("fp4_e2m1");
  for (unsigned c = 0; c < 8; ++c) {
    CHECK(f.decode(c) == expected[c]);
    CHECK(f.decode(c | 8) == -expected[c]);
  }
}

TEST_CASE("E4M3 has NaN only at S.1111.111 and E5M2 has IEEE specials", "[formats]") {
  const auto& e4 = float_format("fp8_e4m3");
  CHECK(std::isnan(e4.decode(0x7f)));
  CHECK(e4.decode(0x7e) == 448.0);
  CHECK(e4.decode(0x78) == 256.0);  // exponent all ones is still a number
  const auto& e5 = float_format("fp8_e5m2");
  CHECK(std::isinf(e5.decode(0x7c)));
  CHECK(std::isnan(e5.decode(0x7d)));
  CHECK(e5.decode(0x7b) == 57344.0);
}

namespace {

// Every finite code of `name`, as floats.
std::vector<float> finite_codes(const std::string& name) {
  const auto& f = float_format(name);
  std::vector<float> v;
  for (unsigned c = 0; c < (1u << f.bits()); ++c) {
    const double d = f.decode(c);
    if (std::isfinite(d)) v.push_back(static_cast<float>(d));
  }
  return v;
}

std::string fp_step(const std::string& fmt, const std::string& rounding = "nearest_even",
                    bool saturate = true) {
  return R"({"quantizer":"fp","format":")" + fmt + R"(","rounding":")" + rounding +
         R"(","saturate":)" + (saturate ? "true" : "false") + "}";
}

}  // namespace

TEST_CASE("every code point of FP4/FP6/FP8/FP16 round-trips in every rounding mode", "[formats]") {
  for (const char* name : {"fp4_e2m1", "fp6_e2m3", "fp6_e3m2", "fp8_e4m3", "fp8_e5m2", "fp16"}) {
    const std::vector<float> codes = finite_codes(name);
    for (const char* mode : {"nearest_even", "nearest_away", "toward_zero", "stochastic"}) {
      const Tensor y = quantize(fp_step(name, mode), test::vec(codes));
      for (std::size_t i = 0; i < codes.size(); ++i) {
        INFO(name << " " << mode << " code value " << codes[i]);
        CHECK(same_bits(y.data[i], codes[i]));  // -0 stays -0
      }
    }
  }
}

TEST_CASE("midpoints between neighbours: ties to even code vs ties away", "[formats]") {
  for (const char* name : {"fp4_e2m1", "fp6_e2m3", "fp6_e3m2", "fp8_e4m3", "fp8_e5m2"}) {
    const auto& f = float_format(name);
    std::vector<float> mids, even, away, lower;
    // Positive codes are ordered by value; neighbours differ by one code.
    for (unsigned c = 0; c + 1 < (1u << (f.bits() - 1)); ++c) {
      const double a = f.decode(c), b = f.decode(c + 1);
      if (!std::isfinite(a) || !std::isfinite(b)) continue;
      mids.push_back(static_cast<float>((a + b) / 2));
      even.push_back(static_cast<float>(c % 2 == 0 ? a : b));
      away.push_back(static_cast<float>(b));
      lower.push_back(static_cast<float>(a));
    }
    const Tensor ye = quantize(fp_step(name), test::vec(mids));
    const Tensor ya = quantize(fp_step(name, "nearest_away"), test::vec(mids));
    const Tensor yz = quantize(fp_step(name, "toward_zero"), test::vec(mids));
    for (std::size_t i = 0; i < mids.size(); ++i) {
      INFO(name << " midpoint " << mids[i]);
      CHECK(ye.data[i] == even[i]);
      CHECK(ya.data[i] == away[i]);
      CHECK(yz.data[i] == lower[i]);  // truncation: the lower neighbour
    }
    // Negated midpoints mirror exactly.
    std::vector<float> neg(mids);
    for (auto& v : neg) v = -v;
    const Tensor yn = quantize(fp_step(name), test::vec(neg));
    for (std::size_t i = 0; i < mids.size(); ++i) CHECK(yn.data[i] == -even[i]);
  }
}

TEST_CASE("E4M3 saturation boundary and overflow", "[formats]") {
  const Tensor x = test::vec({448.0f, 464.0f, 464.01f, 1e6f, -500.0f, INFINITY, NAN});
  const Tensor sat = quantize(fp_step("fp8_e4m3"), x);
  CHECK(sat.data[0] == 448.0f);
  CHECK(sat.data[1] == 448.0f);  // tie between 448 (even) and 480 (NaN code): 448
  CHECK(sat.data[2] == 448.0f);
  CHECK(sat.data[3] == 448.0f);
  CHECK(sat.data[4] == -448.0f);
  CHECK(sat.data[5] == 448.0f);
  CHECK(std::isnan(sat.data[6]));
  const Tensor raw = quantize(fp_step("fp8_e4m3", "nearest_even", false), x);
  CHECK(raw.data[0] == 448.0f);
  CHECK(raw.data[1] == 448.0f);
  CHECK(std::isnan(raw.data[2]));  // E4M3 has no Inf: overflow is NaN
  CHECK(std::isnan(raw.data[3]));
  CHECK(std::isnan(raw.data[5]));
}

TEST_CASE("E5M2 non-saturating overflow follows IEEE ties-to-even", "[formats]") {
  const Tensor x = test::vec({57344.0f, 61439.0f, 61440.0f, -70000.0f, INFINITY});
  const Tensor raw = quantize(fp_step("fp8_e5m2", "nearest_even", false), x);
  CHECK(raw.data[0] == 57344.0f);
  CHECK(raw.data[1] == 57344.0f);
  CHECK(raw.data[2] == INFINITY);  // tie: 57344 has an odd mantissa, rounds up to 2^16 = Inf
  CHECK(raw.data[3] == -INFINITY);
  CHECK(raw.data[4] == INFINITY);
  const Tensor tz = quantize(fp_step("fp8_e5m2", "toward_zero", false), x);
  CHECK(tz.data[3] == -57344.0f);  // IEEE: truncation stops at the largest finite value
  const Tensor sat = quantize(fp_step("fp8_e5m2"), x);
  CHECK(sat.data[2] == 57344.0f);
  CHECK(sat.data[4] == 57344.0f);
}

TEST_CASE("subnormals and signed zero", "[formats]") {
  const float s = std::ldexp(1.0f, -9);  // E4M3 smallest subnormal
  const Tensor x = test::vec({s, s / 2, 1.5f * s / 2, 3 * s, 2.5f * s, -s / 4, -0.0f, 7 * s});
  const Tensor y = quantize(fp_step("fp8_e4m3"), x);
  CHECK(y.data[0] == s);
  CHECK(y.data[1] == 0.0f);  // tie between 0 (even) and s
  CHECK(y.data[2] == s);
  CHECK(y.data[3] == 3 * s);
  CHECK(y.data[4] == 2 * s);  // tie between 2s (even code) and 3s
  CHECK(same_bits(y.data[5], -0.0f));
  CHECK(same_bits(y.data[6], -0.0f));
  CHECK(y.data[7] == 7 * s);  // largest subnormal
  const Tensor a = quantize(fp_step("fp8_e4m3", "nearest_away"), x);
  CHECK(a.data[1] == s);
  CHECK(a.data[4] == 3 * s);
}

TEST_CASE("bf16 and fp16 match their IEEE definitions", "[formats]") {
  // bf16: 1 + 2^-8 is a tie between 1 and 1 + 2^-7 -> 1 (even).
  const Tensor x = test::vec({1.0f + 0x1p-8f, 1.0f + 3 * 0x1p-8f, 0x1p-133f, 0x1p-134f, 3e38f});
  const Tensor b = quantize(fp_step("bf16"), x);
  CHECK(b.data[0] == 1.0f);
  CHECK(b.data[1] == 1.0f + 0x1p-6f);
  CHECK(b.data[2] == 0x1p-133f);          // smallest bf16 subnormal
  CHECK(b.data[3] == 0.0f);               // tie with 0
  CHECK(b.data[4] == 226.0f * 0x1p120f);  // 3e38 / 2^120 = 225.7
  const Tensor h = quantize(fp_step("fp16"), test::vec({65519.0f, 65520.0f, 0x1p-25f, 0x1p-24f}));
  CHECK(h.data[0] == 65504.0f);
  CHECK(h.data[1] == 65504.0f);  // saturating by default
  CHECK(h.data[2] == 0.0f);
  CHECK(h.data[3] == 0x1p-24f);
  const Tensor hr = quantize(fp_step("fp16", "nearest_even", false), test::vec({65520.0f}));
  CHECK(hr.data[0] == INFINITY);
}

TEST_CASE("per-tensor and per-channel scaling map amax onto the format max", "[formats]") {
  const Tensor x({2, 2}, {1.0f, -0.5f, 10.0f, 2.5f});
  const Tensor t = quantize(R"({"quantizer":"fp","format":"fp4_e2m1","scale":"tensor"})", x);
  // scale = 10/6: values /scale = 0.6, -0.3, 6, 1.5 -> 0.5, -0.5, 6, 1.5
  const float s = 10.0f / 6.0f;
  CHECK(t.data[0] == 0.5f * s);
  CHECK(t.data[1] == -0.5f * s);
  CHECK(t.data[2] == 6.0f * s);
  CHECK(t.data[3] == 1.5f * s);
  const Tensor c = quantize(R"({"quantizer":"fp","format":"fp4_e2m1","scale":"channel"})", x);
  CHECK(c.data[0] == 6.0f * (1.0f / 6.0f));
  CHECK(c.data[1] == -3.0f * (1.0f / 6.0f));
}
