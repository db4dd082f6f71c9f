// The kernels for scale groups along a strided axis (quantizers/columns.hpp:
// blocks along axis 0, per-channel scales along the last axis) against the
// contiguous per-group path: the same step on the tensor with that axis moved
// last must give the same bits, moved back. Random tensors mix magnitudes from
// subnormal to huge, exact ties, signed zeros, all-zero groups and NaN/Inf.
#include <omp.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <string>

#include "core/rng.hpp"
#include "formats/grid.hpp"
#include "support.hpp"

using namespace interplay;
using interplay::test::quantize;
using interplay::test::same_bits;

namespace {

Tensor awkward(const Shape& shape, std::uint64_t seed) {
  Tensor x(shape);
  const std::size_t last = shape.back();
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double u = uniform53(seed, 0, i), v = uniform53(seed, 1, i);
    const float sign = v < 0.5 ? -1.0f : 1.0f;
    float value;
    if (u < 0.05)
      value = sign * 0.0f;  // signed zeros
    else if (u < 0.25)      // ties: odd multiples of a half quantum on many grids
      value = sign * std::ldexp(float(2 * int(v * 64) + 1), int(u * 40) - 20);
    else if (u < 0.30)  // subnormals and tiny normals
      value = sign * std::ldexp(float(1 + v), -149 + int(u * 100) % 30);
    else
      value = sign * std::ldexp(float(1 + v), int(u * 300) % 60 - 30);
    x.data[i] = value;
  }
  // Whole columns (groups along axis 0) of zeros and one NaN / Inf each.
  const std::size_t rows = x.size() / last;
  for (std::size_t r = 0; r < rows; ++r) {
    x.data[r * last + 1] = 0.0f;
    x.data[r * last + 2] = r % 2 ? -0.0f : 0.0f;
  }
  x.data[3 + last * (rows / 2)] = std::numeric_limits<float>::quiet_NaN();
  x.data[4] = -std::numeric_limits<float>::infinity();
  x.data[5 + last * (rows - 1)] = std::numeric_limits<float>::infinity();
  return x;
}

// x with axis `a` moved to the end (and back: `back`).
Tensor move_axis(const Tensor& x, std::size_t a, bool back) {
  const Shape& s = x.shape;
  std::size_t outer = 1, inner = 1;
  for (std::size_t d = 0; d < a; ++d) outer *= s[d];
  const std::size_t len = back ? s.back() : s[a];
  inner = x.size() / outer / len;
  Shape moved;
  if (!back) {
    for (std::size_t d = 0; d < s.size(); ++d)
      if (d != a) moved.push_back(s[d]);
    moved.push_back(s[a]);
  } else {
    for (std::size_t d = 0; d + 1 < s.size(); ++d) {
      if (d == a) moved.push_back(s.back());
      moved.push_back(s[d]);
    }
    if (a == s.size() - 1) moved.push_back(s.back());
  }
  Tensor y(moved);
  for (std::size_t o = 0; o < outer; ++o)
    for (std::size_t k = 0; k < len; ++k)
      for (std::size_t i = 0; i < inner; ++i) {
        const std::size_t strided = (o * len + k) * inner + i, last = (o * inner + i) * len + k;
        if (back)
          y.data[strided] = x.data[last];
        else
          y.data[last] = x.data[strided];
      }
  return y;
}

void check_same(const Tensor& got, const Tensor& want) {
  REQUIRE(got.shape == want.shape);
  std::size_t differ = 0, first = 0;
  for (std::size_t i = 0; i < got.size(); ++i)
    if (!same_bits(got.data[i], want.data[i]) && differ++ == 0) first = i;
  INFO("first difference at " << first << ": " << got.data[first] << " vs " << want.data[first]);
  CHECK(differ == 0);
}

// `step` on x equals `want` out of place and in place (where special groups
// must be gathered before their rows are overwritten), with 1 and 2 threads.
void check_everywhere(const std::string& step, const Tensor& x, const Tensor& want) {
  const int saved = omp_get_max_threads();
  auto q = quantizers().build(json::parse(step), "quantizer", "test");
  for (int threads : {1, 2}) {
    INFO(threads << " threads");
    omp_set_num_threads(threads);
    check_same(quantize(step, x), want);
    Tensor y = x;
    q.object->quantize(y, y);
    check_same(y, want);
  }
  omp_set_num_threads(saved);
}

}  // namespace

TEST_CASE("amax block formats along a strided axis equal the contiguous path",
          "[quantizers][strided]") {
  const char* steps[] = {R"({"quantizer":"mxfp8_e4m3")",
                         R"({"quantizer":"mxfp8_e5m2")",
                         R"({"quantizer":"mxfp6_e3m2")",
                         R"({"quantizer":"mxfp4")",
                         R"({"quantizer":"mxint8")",
                         R"({"quantizer":"mx","element":"fp4_e2m1","block":7)",
                         R"({"quantizer":"hbfp8")",
                         R"({"quantizer":"hbfp4","block":5)",
                         R"({"quantizer":"nvfp4")",
                         R"({"quantizer":"nvfp4","block":9)",
                         R"({"quantizer":"hbfp","mantissa_bits":23)"};
  struct Case {
    Shape shape;
    std::size_t axis;
  };
  const Case cases[] = {{{37, 300}, 0}, {{70, 1100}, 0}, {{3, 40, 50}, 1}, {{33, 2, 20}, 0}};
  for (const char* step : steps)
    for (const Case& c : cases) {
      const Tensor x = awkward(c.shape, 7 + c.axis);
      const std::string strided = std::string(step) + ",\"axis\":" + std::to_string(c.axis) + "}";
      const std::string last = std::string(step) + ",\"axis\":-1}";
      INFO(strided << " on " << shape_string(c.shape));
      const Tensor want = move_axis(quantize(last, move_axis(x, c.axis, false)), c.axis, true);
      check_everywhere(strided, x, want);
    }
}

TEST_CASE("per-channel INT along the last axis equals the contiguous path",
          "[quantizers][strided]") {
  const char* steps[] = {R"({"quantizer":"int8")", R"({"quantizer":"int4")",
                         R"({"quantizer":"int","bits":3,"scheme":"asymmetric")",
                         R"({"quantizer":"int","bits":4,"scheme":"gptq_symmetric")",
                         R"({"quantizer":"int","bits":16)"};
  const Shape shapes[] = {{37, 300}, {70, 1100}, {3, 4, 50}};
  for (const char* step : steps)
    for (const Shape& shape : shapes) {
      const Tensor x = awkward(shape, 11);
      const std::size_t channels = shape.back(), rows = x.size() / channels;
      const std::string strided =
          std::string(step) + ",\"channel_axis\":" + std::to_string(shape.size() - 1) + "}";
      INFO(strided << " on " << shape_string(shape));
      // Reference: the [rows, channels] matrix transposed, one scale per row.
      const Tensor matrix({rows, channels}, x.data);
      Tensor want = move_axis(
          quantize(std::string(step) + ",\"channel_axis\":0}", move_axis(matrix, 0, false)), 0,
          true);
      want.shape = shape;
      check_everywhere(strided, x, want);
    }
}

// Outputs of 32 MiB or more leave the contiguous block kernels (MX/HBFP and
// NVFP4, with two threads) and the column kernel through non-temporal stores
// (core/streaming.hpp). The reference is the contiguous
// path on one thread, which does not stream. Rows of 2050 floats start at every alignment, and
// special blocks (zero, subnormal, huge, NaN) sit at the start, middle and
// end of the kernel's groups of 16 blocks, which it redoes after the group.
TEST_CASE("streamed outputs equal the one-thread contiguous path", "[quantizers][strided]") {
  // 8.4 M elements (33.6 MB) each: lanes of 2048 take the contiguous block
  // kernel, rows of 2050 start at every alignment in the column kernel.
  for (const Shape& shape : {Shape{4097, 2048}, Shape{4100, 2050}}) {
    Tensor x = awkward(shape, 23);
    for (const std::size_t at : {0, 1024 + 3 * 64, 2048 + 15 * 64}) {
      for (std::size_t i = 0; i < 64; ++i) {
        x.data[at + i] = 0.0f;
        x.data[20000 + at + i] = std::ldexp(float(i % 5) - 2.0f, -140);
        x.data[40000 + at + i] = 3.0e38f * float(i % 3) / 2.0f;
      }
      x.data[60000 + at + 5] = std::numeric_limits<float>::quiet_NaN();
    }
    const int saved = omp_get_max_threads();
    for (const char* step :
         {R"({"quantizer":"mxfp8_e4m3")", R"({"quantizer":"hbfp4")", R"({"quantizer":"nvfp4")"}) {
      INFO(step << " on " << shape_string(shape));
      const std::string last = std::string(step) + ",\"axis\":-1}";
      omp_set_num_threads(1);
      const Tensor want_last = quantize(last, x);
      const Tensor want_first = move_axis(quantize(last, move_axis(x, 0, false)), 0, true);
      omp_set_num_threads(saved);
      check_everywhere(last, x, want_last);
      check_everywhere(std::string(step) + ",\"axis\":0}", x, want_first);
    }
  }
}

// Per-channel INT rows (channel_axis 0) of an output of 32 MiB or more are
// streamed in pieces of 256 through an L1 buffer, on any number of threads:
// against each row quantized on its own (a small tensor, plain stores), with
// rows of 2050 starting at every alignment and a row holding a NaN.
TEST_CASE("streamed per-channel INT rows equal each row on its own", "[quantizers][strided]") {
  const Shape shape{4100, 2050};
  Tensor x = awkward(shape, 29);
  x.data[7 * 2050 + 11] = std::numeric_limits<float>::quiet_NaN();
  for (const char* step :
       {R"({"quantizer":"int8"})", R"({"quantizer":"int4","scheme":"asymmetric"})"}) {
    auto q = quantizers().build(json::parse(step), "quantizer", "test");
    Tensor want(shape), row({1, 2050}), out;
    for (std::size_t r = 0; r < shape[0]; ++r) {
      std::copy(x.data.begin() + std::ptrdiff_t(r * 2050),
                x.data.begin() + std::ptrdiff_t((r + 1) * 2050), row.data.begin());
      q.object->quantize(row, out);
      std::copy(out.data.begin(), out.data.end(), want.data.begin() + std::ptrdiff_t(r * 2050));
    }
    INFO(step);
    check_everywhere(step, x, want);
  }
}

// NVFP4's chunked kernel for blocks of 16 along contiguous lanes against the
// format's definition evaluated with the double-precision reference rounding
// (round_to_grid), block by block.
TEST_CASE("nvfp4 blocks of 16 equal the reference definition", "[quantizers][strided]") {
  const Grid e2m1 = float_grid(float_format("fp4_e2m1"), true);
  const Grid e4m3 = float_grid(float_format("fp8_e4m3"), true);
  for (const Shape& shape : {Shape{37, 160}, Shape{300, 1024}}) {
    Tensor x = awkward(shape, 13);
    for (std::size_t i = 16; i < 32; ++i) x.data[i] = 1e-30f * float(i);  // scale rounds to 0
    float amax_t = 0;
    for (float v : x.data)
      if (std::isfinite(v)) amax_t = std::max(amax_t, std::fabs(v));
    const float g = (448.0f * 6.0f) / amax_t;
    Tensor want(shape);
    for (std::size_t b = 0; b < x.size(); b += 16) {
      float amax = 0;
      bool finite = true;
      for (std::size_t i = b; i < b + 16; ++i)
        finite = finite && std::isfinite(x.data[i]), amax = std::max(amax, std::fabs(x.data[i]));
      const float sb =
          float(round_to_grid(double((amax / 6.0f) * g), e4m3, Rounding::NearestEven, 0));
      const float d = sb / g;
      for (std::size_t i = b; i < b + 16; ++i) {
        const float v = x.data[i];
        want.data[i] =
            !finite     ? std::numeric_limits<float>::quiet_NaN()
            : amax == 0 ? v
            : sb == 0   ? v * 0.0f
                        : float(round_to_grid(double(v / d), e2m1, Rounding::NearestEven, 0)) * d;
      }
    }
    INFO("shape " << shape_string(shape));
    check_everywhere(R"({"quantizer":"nvfp4"})", x, want);
  }
}

// Stochastic rounding of contiguous blocks of 16/32/64 takes a chunk kernel
// out of place; in place it takes the per-block path, which must agree.
TEST_CASE("stochastic block kernel equals the per-block path", "[quantizers][strided]") {
  const char* steps[] = {R"({"quantizer":"mxfp4")",
                         R"({"quantizer":"mxfp8_e4m3")",
                         R"({"quantizer":"mxint8")",
                         R"({"quantizer":"hbfp4")",
                         R"({"quantizer":"hbfp8")",
                         R"({"quantizer":"nvfp4")",
                         R"({"quantizer":"hbfp","mantissa_bits":23)"};
  for (const char* step : steps)
    for (const Shape& shape : {Shape{37, 320}, Shape{200, 1024}}) {
      const std::string s = std::string(step) + R"(,"rounding":"stochastic","seed":3})";
      INFO(s << " on " << shape_string(shape));
      const Tensor x = awkward(shape, 17);
      auto b = quantizers().build(json::parse(s), "quantizer", "test");
      const int saved = omp_get_max_threads();
      for (int threads : {1, 2}) {
        INFO(threads << " threads");
        omp_set_num_threads(threads);
        Tensor chunked, in_place = x;
        b.object->quantize(x, chunked);
        b.object->quantize(in_place, in_place);
        check_same(chunked, in_place);
      }
      omp_set_num_threads(saved);
    }
}

namespace {

// One block's nearest-even result by the formats' definitions, in double
// with the reference rounding (round_to_grid): MX X = 2^clamp(floor(log2
// amax) - emax, -127, 127), elements V/X on the element grid; HBFP e =
// ceil(log2 amax), multiples of 2^(e-m) clamped to +-(2^e - 2^(e-m)).
struct BlockDefinition {
  bool hbfp;
  Grid grid;      // MX element grid
  int emax = 0;   // MX
  int mbits = 0;  // HBFP
};

void define_block(const BlockDefinition& d, const float* x, float* y, std::size_t n) {
  float amax = 0;
  bool finite = true;
  for (std::size_t i = 0; i < n; ++i)
    finite = finite && std::isfinite(x[i]), amax = std::max(amax, std::fabs(x[i]));
  for (std::size_t i = 0; i < n; ++i) {
    if (!finite) {
      y[i] = std::numeric_limits<float>::quiet_NaN();
    } else if (amax == 0) {
      y[i] = x[i];
    } else if (d.hbfp) {
      const int e = int(std::ceil(std::log2(double(amax))));
      const double q = std::ldexp(1.0, e - d.mbits), top = std::ldexp(1.0, d.mbits) - 1;
      const double k = std::clamp(std::nearbyint(double(x[i]) / q), -top, top);
      y[i] = std::copysign(float(k * q), x[i]);
    } else {
      const int e = std::clamp(int(std::floor(std::log2(double(amax)))) - d.emax, -127, 127);
      const double v = double(x[i]) * std::ldexp(1.0, -e);
      y[i] = float(round_to_grid(v, d.grid, Rounding::NearestEven, 0) * std::ldexp(1.0, e));
    }
  }
}

}  // namespace

// The contiguous block kernels (a plan table keyed by the amax exponent,
// quantizers/keyed_plans.hpp) against the definitions, block by block, on
// lanes that are and are not multiples of the block, out of place and in
// place, with one and two threads.
TEST_CASE("MX and HBFP contiguous blocks equal the definition", "[quantizers][strided]") {
  struct Step {
    const char* json;
    BlockDefinition def;
    std::size_t block;
  };
  const auto mx = [](const char* element, bool saturate = true) {
    return BlockDefinition{false, float_grid(float_format(element), saturate),
                           float_format(element).emax(), 0};
  };
  const BlockDefinition mxint8{false, fixed_grid(-6, -127.0f / 64, 127.0f / 64), 0, 0};
  const Step steps[] = {
      {R"({"quantizer":"mxfp8_e4m3")", mx("fp8_e4m3"), 32},
      {R"({"quantizer":"mxfp8_e5m2")", mx("fp8_e5m2"), 32},
      {R"({"quantizer":"mxfp6_e3m2")", mx("fp6_e3m2"), 32},
      {R"({"quantizer":"mxfp6_e2m3")", mx("fp6_e2m3"), 32},
      {R"({"quantizer":"mxfp4")", mx("fp4_e2m1"), 32},
      {R"({"quantizer":"mxint8")", mxint8, 32},
      {R"({"quantizer":"mx","element":"fp4_e2m1","block":16)", mx("fp4_e2m1"), 16},
      {R"({"quantizer":"mx","element":"fp8_e4m3","block":64)", mx("fp8_e4m3"), 64},
      {R"({"quantizer":"hbfp8")", BlockDefinition{true, {}, 0, 7}, 64},
      {R"({"quantizer":"hbfp6")", BlockDefinition{true, {}, 0, 5}, 64},
      {R"({"quantizer":"hbfp4")", BlockDefinition{true, {}, 0, 3}, 64},
      {R"({"quantizer":"hbfp4","block":32)", BlockDefinition{true, {}, 0, 3}, 32},
      {R"({"quantizer":"hbfp","mantissa_bits":23,"block":16)", BlockDefinition{true, {}, 0, 23},
       16}};
  for (const Shape& shape : {Shape{37, 320}, Shape{5, 96}, Shape{3, 7, 64}, Shape{1100, 64}}) {
    Tensor x = awkward(shape, 19);
    // A block of subnormals, one at the bottom of the normals (MX scale
    // clamps at 2^-127), one near the largest float, one with a power-of-two amax.
    for (std::size_t i = 0; i < 16; ++i) {
      x.data[64 + i] = std::ldexp(float(i % 5) - 2.0f, -140);
      x.data[128 + i] = std::ldexp(1.0f + float(i) / 16, -126) * (i % 2 ? -1.0f : 1.0f);
      x.data[192 + i] = 3.0e38f * float(i % 3) / 2.0f;
      x.data[256 + i] = float(i) / 8.0f - 1.0f;
    }
    for (const Step& s : steps) {
      const std::size_t lane = shape.back();
      Tensor want(shape);
      for (std::size_t b = 0; b < x.size(); b += lane)  // blocks of each lane, ragged last
        for (std::size_t k = 0; k < lane; k += s.block)
          define_block(s.def, x.data.data() + b + k, want.data.data() + b + k,
                       std::min(s.block, lane - k));
      const std::string step = std::string(s.json) + "}";
      INFO(step << " on " << shape_string(shape));
      check_everywhere(step, x, want);
    }
  }
}

// Per-channel INT with contiguous channels (channel_axis 0: a fused kernel
// that rounds one row while it takes the next row's range) against the
// float32 reference arithmetic, row by row: x / scale, round half to even,
// clamp to the levels, * scale.
TEST_CASE("per-channel INT rows equal the reference arithmetic", "[quantizers][strided]") {
  struct Step {
    const char* json;
    int bits;
    const char* scheme;
  };
  const Step steps[] = {
      {R"({"quantizer":"int8"})", 8, "symmetric"},
      {R"({"quantizer":"int4"})", 4, "symmetric"},
      {R"({"quantizer":"int","bits":3,"scheme":"asymmetric"})", 3, "asymmetric"},
      {R"({"quantizer":"int","bits":4,"scheme":"gptq_symmetric"})", 4, "gptq_symmetric"},
      {R"({"quantizer":"int","bits":16})", 16, "symmetric"}};
  for (const Shape& shape : {Shape{37, 300}, Shape{1, 50}, Shape{7, 3, 5}, Shape{300, 1100}}) {
    Tensor x = awkward(shape, 23);
    const std::size_t rows = shape[0], n = x.size() / rows;
    for (std::size_t i = 0; i < n; ++i) x.data[2 * n % x.size() + i] = 0.0f;  // an all-zero row
    for (std::size_t i = 0; i < n; ++i)                                       // a row of subnormals
      x.data[(rows > 4 ? 4 * n : 0) + i] = std::ldexp(float(i % 7) - 3.0f, -145);
    for (const Step& s : steps) {
      Tensor want(shape);
      for (std::size_t r = 0; r < rows; ++r) {
        const float* xr = x.data.data() + r * n;
        float* wr = want.data.data() + r * n;
        float lo = 0, hi = 0;
        bool finite = true;
        for (std::size_t i = 0; i < n; ++i)
          finite = finite && std::isfinite(xr[i]), lo = std::min(lo, xr[i]),
          hi = std::max(hi, xr[i]);
        float scale, qlo, qhi;
        const std::string scheme = s.scheme;
        if (scheme == "symmetric") {
          qhi = float((1 << (s.bits - 1)) - 1), qlo = -qhi;
          scale = std::max(-lo, hi) / qhi;
        } else if (scheme == "gptq_symmetric") {
          const float maxq = float((1 << s.bits) - 1), half = float(1 << (s.bits - 1));
          const float amax = std::max(-lo, hi) == 0 ? 1.0f : std::max(-lo, hi);
          scale = (amax + amax) / maxq, qlo = -half, qhi = maxq - half;
        } else {
          const float maxq = float((1 << s.bits) - 1);
          if (lo == 0 && hi == 0) lo = -1, hi = 1;
          scale = (hi - lo) / maxq;
          const float zero = std::nearbyint(-lo / scale);
          qlo = -zero, qhi = maxq - zero;
        }
        for (std::size_t i = 0; i < n; ++i)
          wr[i] = !finite      ? std::numeric_limits<float>::quiet_NaN()
                  : scale == 0 ? xr[i] * 0.0f
                               : std::clamp(std::nearbyint(xr[i] / scale), qlo, qhi) * scale;
      }
      INFO(s.json << " on " << shape_string(shape));
      check_everywhere(s.json, x, want);
    }
  }
}
