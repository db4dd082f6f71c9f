// The README's non-finite policy table, one test per row: what every
// quantizer and sparsifier does with NaN and +-Inf.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <limits>

#include "core/pipeline.hpp"
#include "support.hpp"

using namespace interplay;
using interplay::test::quantize;
using interplay::test::sparsify;

namespace {

const float kNaN = std::numeric_limits<float>::quiet_NaN();
const float kInf = std::numeric_limits<float>::infinity();

bool all_nan(const Tensor& t, std::size_t begin, std::size_t end) {
  for (std::size_t i = begin; i < end; ++i)
    if (!std::isnan(t.data[i])) return false;
  return true;
}
bool all_finite(const Tensor& t, std::size_t begin, std::size_t end) {
  for (std::size_t i = begin; i < end; ++i)
    if (!std::isfinite(t.data[i])) return false;
  return true;
}

// Two blocks of 32 (MX/INT groups) or of 16 (NVFP4); the first holds `bad`.
Tensor two_blocks(std::size_t block, float bad) {
  Tensor x({2 * block});
  for (std::size_t i = 0; i < x.size(); ++i) x.data[i] = float(i % 7) - 3.0f;
  x.data[3] = bad;
  return x;
}

}  // namespace

TEST_CASE("non-finite: mx and hbfp make the block holding NaN/Inf all NaN",
          "[quantizers][nonfinite]") {
  for (const char* q : {R"({"quantizer":"mxfp4"})", R"({"quantizer":"mxint8"})",
                        R"({"quantizer":"hbfp8","block":32})"})
    for (float bad : {kNaN, kInf, -kInf}) {
      CAPTURE(q, bad);
      const Tensor y = quantize(q, two_blocks(32, bad));
      CHECK(all_nan(y, 0, 32));
      CHECK(all_finite(y, 32, 64));
      const Tensor ref = quantize(q, two_blocks(32, 1.0f));
      for (std::size_t i = 32; i < 64; ++i) CHECK(y.data[i] == ref.data[i]);
    }
}

TEST_CASE("non-finite: nvfp4 makes the block NaN and scales the rest by the finite amax",
          "[quantizers][nonfinite]") {
  for (float bad : {kNaN, kInf, -kInf}) {
    CAPTURE(bad);
    Tensor x = two_blocks(16, bad);
    const Tensor y = quantize(R"({"quantizer":"nvfp4"})", x);
    CHECK(all_nan(y, 0, 16));
    // The second block is quantized as if the bad value were absent (tensor
    // amax over the finite values; the first block's other values are <= 3).
    x.data[3] = 0.0f;
    const Tensor ref = quantize(R"({"quantizer":"nvfp4"})", x);
    for (std::size_t i = 16; i < 32; ++i) CHECK(y.data[i] == ref.data[i]);
  }
}

TEST_CASE("non-finite: int makes the scale group NaN, per tensor, channel and group",
          "[quantizers][nonfinite]") {
  for (float bad : {kNaN, kInf, -kInf}) {
    CAPTURE(bad);
    const Tensor g = quantize(R"({"quantizer":"int","bits":4,"granularity":"group","block":32})",
                              two_blocks(32, bad));
    CHECK(all_nan(g, 0, 32));
    CHECK(all_finite(g, 32, 64));
    Tensor m = two_blocks(32, bad);
    m.shape = {2, 32};
    const Tensor c = quantize(R"({"quantizer":"int8"})", m);  // per channel (row)
    CHECK(all_nan(c, 0, 32));
    CHECK(all_finite(c, 32, 64));
    const Tensor t = quantize(R"({"quantizer":"int","granularity":"tensor"})", m);
    CHECK(all_nan(t, 0, 64));
  }
}

TEST_CASE("non-finite: fp element-wise saturates Inf, keeps NaN; scaled fp goes NaN",
          "[quantizers][nonfinite]") {
  const Tensor x({4}, {kNaN, kInf, -kInf, 1.0f});
  const Tensor sat = quantize(R"({"quantizer":"fp","format":"fp8_e4m3"})", x);
  CHECK(std::isnan(sat.data[0]));
  CHECK(sat.data[1] == 448.0f);
  CHECK(sat.data[2] == -448.0f);
  CHECK(sat.data[3] == 1.0f);
  const Tensor e5 = quantize(R"({"quantizer":"fp","format":"fp8_e5m2","saturate":false})", x);
  CHECK(std::isnan(e5.data[0]));
  CHECK(e5.data[1] == kInf);
  CHECK(e5.data[2] == -kInf);
  const Tensor e4 = quantize(R"({"quantizer":"fp","format":"fp8_e4m3","saturate":false})", x);
  CHECK(std::isnan(e4.data[1]));  // OCP E4M3 has no Inf
  const Tensor fp4 = quantize(R"({"quantizer":"fp","format":"fp4_e2m1","saturate":false})", x);
  CHECK(fp4.data[1] == 6.0f);  // finite-only formats clamp
  CHECK(fp4.data[2] == -6.0f);

  // A pipeline quantizes in place: the same policy.
  const Tensor piped =
      Pipeline::from_json(json::parse(R"([{"quantizer":"fp","format":"fp8_e4m3"}])"), "test")
          .apply(x);
  CHECK(std::isnan(piped.data[0]));
  CHECK(piped.data[1] == 448.0f);

  const Tensor tensor = quantize(R"({"quantizer":"fp","scale":"tensor"})", x);
  CHECK(all_nan(tensor, 0, 4));
  const Tensor m({2, 2}, {kInf, 1, 2, 3});
  const Tensor channel = quantize(R"({"quantizer":"fp","scale":"channel"})", m);
  CHECK(all_nan(channel, 0, 2));
  CHECK(all_finite(channel, 2, 4));
}

TEST_CASE("non-finite: magnitude sparsifiers keep NaN first, then Inf, unchanged",
          "[sparsifiers][nonfinite]") {
  const Tensor x({8}, {1, kNaN, 5, -kInf, 2, 3, 4, 0.5f});
  const Tensor nm = sparsify(R"({"sparsifier":"nm","n":1,"m":4})", x);
  CHECK(std::isnan(nm.data[1]));  // group (1, NaN, 5, -Inf): NaN is the largest
  CHECK(nm.data[0] == 0);
  CHECK(nm.data[2] == 0);
  CHECK(nm.data[3] == 0);
  CHECK(nm.data[6] == 4);  // group (2, 3, 4, 0.5)
  const Tensor mag = sparsify(R"({"sparsifier":"magnitude","fraction":0.75})", x);
  CHECK(std::isnan(mag.data[1]));  // the two kept: NaN, then -Inf
  CHECK(mag.data[3] == -kInf);
  for (int i : {0, 2, 4, 5, 6, 7}) CHECK(mag.data[std::size_t(i)] == 0);
  const Tensor blk = sparsify(R"({"sparsifier":"block","block":2,"fraction":0.5})", x);
  CHECK(std::isnan(blk.data[1]));  // blocks (1, NaN) and (5, -Inf) have the largest norms
  CHECK(blk.data[3] == -kInf);
  CHECK(blk.data[4] == 0);
}

TEST_CASE("non-finite: random sparsity ignores values and passes them through",
          "[sparsifiers][nonfinite]") {
  const Tensor x({8}, {kNaN, kInf, -kInf, kNaN, kInf, -kInf, kNaN, kInf});
  const Tensor finite({8}, {1, 2, 3, 4, 5, 6, 7, 8});
  const char* s = R"({"sparsifier":"random","fraction":0.5,"seed":3})";
  const Tensor y = sparsify(s, x), mask = sparsify(s, finite);
  for (std::size_t i = 0; i < 8; ++i) {
    if (mask.data[i] == 0)
      CHECK(y.data[i] == 0);
    else
      CHECK(std::memcmp(&y.data[i], &x.data[i], 4) == 0);
  }
}
