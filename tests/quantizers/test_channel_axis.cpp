// Per-channel scales in the PyTorch/ONNX convention: channel_axis selects the
// scale, which is computed over every other axis, at any rank.
#include <catch2/catch.hpp>
#include <cmath>

#include "core/error.hpp"
#include "support.hpp"

using namespace interplay;
using Catch::Matchers::Contains;
using interplay::test::quantize;

namespace {

// Channel k of `axis`: the elements whose index along `axis` is k.
std::vector<std::size_t> channel_indices(const Shape& shape, std::size_t axis, std::size_t k) {
  std::size_t inner = 1;
  for (std::size_t d = axis + 1; d < shape.size(); ++d) inner *= shape[d];
  std::vector<std::size_t> idx;
  for (std::size_t j = 0; j < numel(shape); ++j)
    if ((j / inner) % shape[axis] == k) idx.push_back(j);
  return idx;
}

}  // namespace

TEST_CASE("per-channel INT on rank 3 and 4 matches hand-computed values", "[quantizers][channel]") {
  // 2 bits symmetric: qmax 1, scale = channel amax, q = round_even(v / amax) * amax.
  const std::string int2 = R"({"quantizer":"int","bits":2,"granularity":"channel","channel_axis":)";
  // Rank 3 [2, 2, 2], channel_axis 1: channel 0 = {1, -4, 8, 1} (amax 8),
  // channel 1 = {0.4, 2, -3, 5} (amax 5).
  const Tensor x3({2, 2, 2}, {1, -4, 0.4f, 2, 8, 1, -3, 5});
  CHECK(quantize(int2 + "1}", x3).data == std::vector<float>{0, -0.0f, 0, 0, 8, 0, -5, 5});
  // channel_axis 0: {1, -4, 0.4, 2} (amax 4) and {8, 1, -3, 5} (amax 8).
  CHECK(quantize(int2 + "0}", x3).data == std::vector<float>{0, -4, 0, 0, 8, 0, -0.0f, 8});

  // Rank 4 conv weight [out 2, in 1, kh 2, kw 2].
  const Tensor x4({2, 1, 2, 2}, {3, -1, 2, -2, 0.5f, -1, 0.2f, 0.6f});
  // channel_axis 0 (per filter): {3, -1, 2, -2} (amax 3), {0.5, -1, 0.2, 0.6} (amax 1).
  CHECK(quantize(int2 + "0}", x4).data == std::vector<float>{3, -0.0f, 3, -3, 0, -1, 0, 1});
  // channel_axis 3 (-1): {3, 2, 0.5, 0.2} (amax 3), {-1, -2, -1, 0.6} (amax 2).
  const std::vector<float> last{3, -0.0f, 3, -2, 0, -0.0f, 0, 0};
  CHECK(quantize(int2 + "3}", x4).data == last);
  CHECK(quantize(int2 + "-1}", x4).data == last);
}

TEST_CASE("per-channel INT and FP equal per-tensor scaling of each channel", "[quantizers][channel]") {
  const Shape shape{3, 4, 5, 2};
  Tensor x(shape);
  for (std::size_t i = 0; i < x.size(); ++i) x.data[i] = std::sin(float(i) * 1.7f) * float(1 + i % 7);
  const std::vector<std::pair<std::string, std::string>> forms{
      {R"({"quantizer":"int","bits":4,"channel_axis":)", R"({"quantizer":"int","bits":4,"granularity":"tensor"})"},
      {R"({"quantizer":"int","bits":3,"scheme":"asymmetric","channel_axis":)",
       R"({"quantizer":"int","bits":3,"scheme":"asymmetric","granularity":"tensor"})"},
      {R"({"quantizer":"fp","format":"fp4_e2m1","scale":"channel","channel_axis":)",
       R"({"quantizer":"fp","format":"fp4_e2m1","scale":"tensor"})"}};
  for (const auto& [per_channel, per_tensor] : forms)
    for (std::size_t axis = 0; axis < shape.size(); ++axis) {
      CAPTURE(per_channel, axis);
      const Tensor y = quantize(per_channel + std::to_string(axis) + "}", x);
      for (std::size_t k = 0; k < shape[axis]; ++k) {
        const auto idx = channel_indices(shape, axis, k);
        Tensor g({idx.size()});
        for (std::size_t i = 0; i < idx.size(); ++i) g.data[i] = x.data[idx[i]];
        const Tensor q = quantize(per_tensor, g);
        for (std::size_t i = 0; i < idx.size(); ++i) CHECK(y.data[idx[i]] == q.data[i]);
      }
    }
}

TEST_CASE("2-D weights: channel_axis 0 is today's per-row scale", "[quantizers][channel]") {
  const Tensor x({2, 3}, {1, -2, 0.5f, 10, 3, -7});
  const Tensor y = quantize(R"({"quantizer":"int8"})", x);  // defaults: channel, channel_axis 0
  for (int r = 0; r < 2; ++r) {
    const float s = (r == 0 ? 2.0f : 10.0f) / 127.0f;
    for (int c = 0; c < 3; ++c) CHECK(y.data[r * 3 + c] == std::nearbyint(x.data[r * 3 + c] / s) * s);
  }
}

TEST_CASE("an old per-channel 'axis' says what to write instead", "[quantizers][channel]") {
  const Tensor x({2, 2}, {1, 2, 3, 4});
  REQUIRE_THROWS_WITH(quantize(R"({"quantizer":"int8","axis":0})", x),
                      Contains("write \"channel_axis\": 1 instead of \"axis\": 0"));
  REQUIRE_THROWS_WITH(quantize(R"({"quantizer":"int","granularity":"channel","axis":1})", x),
                      Contains("write \"channel_axis\": 0"));
  REQUIRE_THROWS_WITH(quantize(R"({"quantizer":"fp","scale":"channel","axis":0})", x),
                      Contains("fp scale=channel: 'axis' no longer selects per-channel scales"));
  // `axis` keeps its meaning for groups.
  CHECK_NOTHROW(quantize(R"({"quantizer":"int","granularity":"group","block":2,"axis":0})", x));
  REQUIRE_THROWS_WITH(quantize(R"({"quantizer":"int8","channel_axis":2})", x),
                      Contains("channel_axis"));
}
