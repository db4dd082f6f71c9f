// Forward passes against hand-computed values.
#include <catch2/catch.hpp>
#include <cmath>

#include "models/activations.hpp"
#include "models/attention.hpp"
#include "models/conv2d.hpp"
#include "models/layer_norm.hpp"
#include "models/linear.hpp"
#include "models/loss.hpp"
#include "models/pool.hpp"
#include "models/vit_parts.hpp"

using namespace interplay;

TEST_CASE("linear: y = x W^T + b", "[models]") {
  Linear l(2, 2);
  l.weight().value.data = {1, 2, 3, 4};
  l.params()[1].value.data = {0.5f, -1.0f};
  Tensor y;
  l.forward(Tensor({2, 2}, {1, 1, 2, -1}), y);
  CHECK(y.shape == Shape{2, 2});
  CHECK(y.data == std::vector<float>{3.5f, 6.0f, 0.5f, 1.0f});
}

TEST_CASE("linear: weight override and input quantizer hooks", "[models]") {
  Linear l(2, 1);
  l.weight().value.data = {1, 1};
  l.params()[1].value.data = {0};
  l.weight_override = Tensor({1, 2}, {2, 0});
  Tensor y, dx;
  l.forward(Tensor({1, 2}, {3, 5}), y);
  CHECK(y.data == std::vector<float>{6.0f});
  // dL/dx uses the override, dL/dW the (unchanged) input: straight-through.
  l.backward(Tensor({1, 1}, {1}), dx);
  CHECK(dx.data == std::vector<float>{2.0f, 0.0f});
  CHECK(l.weight().grad.data == std::vector<float>{3.0f, 5.0f});
  CHECK(l.weight().value.data == std::vector<float>{1.0f, 1.0f});
}

TEST_CASE("conv2d: hand-computed 2x2 kernel with padding", "[models]") {
  Conv2d c(1, 1, 3, 1);
  // Kernel picks the centre pixel plus the one to its right.
  c.weight().value.data = {0, 0, 0, 0, 1, 1, 0, 0, 0};
  c.params()[1].value.data = {10};
  Tensor y;
  c.forward(Tensor({1, 1, 2, 2}, {1, 2, 3, 4}), y);
  CHECK(y.shape == Shape{1, 1, 2, 2});
  CHECK(y.data == std::vector<float>{13, 12, 17, 14});
}

TEST_CASE("pooling: max keeps the first maximum, average divides by k^2", "[models]") {
  const Tensor x({1, 1, 2, 4}, {1, 5, 2, 2, 5, 0, 3, -1});
  MaxPool2d mp(2);
  AvgPool2d ap(2);
  Tensor y, dx;
  mp.forward(x, y);
  CHECK(y.data == std::vector<float>{5, 3});
  mp.backward(Tensor({1, 1, 1, 2}, {1, 2}), dx);
  CHECK(dx.data == std::vector<float>{0, 1, 0, 0, 0, 0, 2, 0});
  ap.forward(x, y);
  CHECK(y.data == std::vector<float>{2.75f, 1.5f});
}

TEST_CASE("layer norm: zero mean, unit variance, then affine", "[models]") {
  LayerNorm ln(3);
  ln.params()[0].value.data = {1, 2, 1};
  ln.params()[1].value.data = {0, 0, 1};
  Tensor y;
  ln.forward(Tensor({1, 3}, {1, 2, 3}), y);
  const float s = 1.0f / std::sqrt(2.0f / 3.0f + LayerNorm::kEps);
  CHECK(y.data[0] == Approx(-s));
  CHECK(y.data[1] == Approx(0.0f).margin(1e-7));
  CHECK(y.data[2] == Approx(s + 1.0f));
}

TEST_CASE("gelu: exact erf form", "[models]") {
  Gelu g;
  Tensor y;
  g.forward(Tensor({3}, {-1.0f, 0.0f, 1.0f}), y);
  CHECK(y.data[0] == Approx(-0.158655254f));
  CHECK(y.data[1] == 0.0f);
  CHECK(y.data[2] == Approx(0.841344746f));
}

TEST_CASE("attention: one token attends only to itself", "[models]") {
  // With T = 1 the softmax is 1, so y = proj(v): qkv = identity on the v block.
  MultiHeadAttention attn(2, 1);
  auto kids = attn.children();
  Linear& qkv = dynamic_cast<Linear&>(*kids[0].second);
  Linear& proj = dynamic_cast<Linear&>(*kids[1].second);
  qkv.weight().value.data = {7, 7, 7, 7, 0, 0, 0, 0, 1, 0, 0, 1};
  qkv.params()[1].value.data.assign(6, 0.0f);
  proj.weight().value.data = {0, 1, 1, 0};
  proj.params()[1].value.data = {0.5f, 0};
  Tensor y;
  attn.forward(Tensor({1, 1, 2}, {3, 4}), y);
  CHECK(y.data == std::vector<float>{4.5f, 3.0f});
}

TEST_CASE("attention: equal scores average the values", "[models]") {
  // q = k = 0 makes every score equal: each output is the mean of the values.
  MultiHeadAttention attn(2, 2);
  auto kids = attn.children();
  Linear& qkv = dynamic_cast<Linear&>(*kids[0].second);
  Linear& proj = dynamic_cast<Linear&>(*kids[1].second);
  qkv.weight().value.data = {0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 1};
  qkv.params()[1].value.data.assign(6, 0.0f);
  proj.weight().value.data = {1, 0, 0, 1};
  proj.params()[1].value.data = {0, 0};
  Tensor y;
  attn.forward(Tensor({1, 3, 2}, {1, 2, 3, 4, 5, 9}), y);
  for (std::size_t t = 0; t < 3; ++t) {
    CHECK(y.data[2 * t] == Approx(3.0f));
    CHECK(y.data[2 * t + 1] == Approx(5.0f));
  }
}

TEST_CASE("patchify: patch order and (c, y, x) flattening", "[models]") {
  Tensor x({1, 1, 2, 4});
  for (std::size_t i = 0; i < 8; ++i) x.data[i] = float(i);
  Patchify p(2);
  Tensor y;
  p.forward(x, y);
  CHECK(y.shape == Shape{1, 2, 4});
  CHECK(y.data == std::vector<float>{0, 1, 4, 5, 2, 3, 6, 7});
}

TEST_CASE("cross-entropy: uniform logits give log(classes)", "[models]") {
  const Tensor z({2, 10}, 0.0f);
  const std::uint8_t labels[2] = {3, 9};
  const LossStats s = softmax_cross_entropy(z, labels);
  CHECK(s.loss_sum == Approx(2.0 * std::log(10.0)));
  CHECK(s.correct == 0);  // ties: class 0 wins
  const std::uint8_t bad[2] = {3, 10};
  CHECK_THROWS_WITH(softmax_cross_entropy(z, bad), Catch::Contains("label 10 out of range"));
}
