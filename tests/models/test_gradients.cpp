// Every layer type's backward against central finite differences.
#include <catch2/catch.hpp>

#include "gradcheck.hpp"
#include "models/activations.hpp"
#include "models/attention.hpp"
#include "models/conv2d.hpp"
#include "models/layer_norm.hpp"
#include "models/linear.hpp"
#include "models/loss.hpp"
#include "models/pool.hpp"
#include "models/vit_parts.hpp"

using namespace interplay;
using interplay::test::check_gradients;
using interplay::test::random_tensor;

namespace {

// Deterministic, non-trivial parameters (biases and gains not at 0 / 1).
template <class L>
L& randomize(L& layer, std::uint64_t seed) {
  std::function<void(Layer&)> fill = [&](Layer& l) {
    for (Param& p : l.params()) p.value = random_tensor(p.value.shape, seed++, 0.5f);
    for (auto& [n, c] : l.children()) fill(*c);
  };
  fill(layer);
  return layer;
}

// Values whose magnitudes stay at least `gap` away from 0 (ReLU's kink).
Tensor away_from_zero(Shape shape, std::uint64_t seed, float gap) {
  Tensor t = random_tensor(std::move(shape), seed);
  for (float& v : t.data) v = v >= 0 ? v + gap : v - gap;
  return t;
}

}  // namespace

TEST_CASE("gradients: linear (2-D and 3-D inputs)", "[models][grad]") {
  Linear l(5, 4);
  randomize(l, 1);
  check_gradients(l, random_tensor({3, 5}, 2));
  check_gradients(l, random_tensor({2, 3, 5}, 3));
}

TEST_CASE("gradients: relu, gelu, flatten", "[models][grad]") {
  Relu relu;
  check_gradients(relu, away_from_zero({4, 6}, 4, 0.05f));
  Gelu gelu;
  check_gradients(gelu, random_tensor({4, 6}, 5, 3.0f));
  Flatten flat;
  check_gradients(flat, random_tensor({2, 3, 2, 2}, 6));
}

TEST_CASE("gradients: conv2d with and without padding", "[models][grad]") {
  Conv2d same(2, 3, 3, 1);
  randomize(same, 7);
  check_gradients(same, random_tensor({2, 2, 5, 4}, 8));
  Conv2d valid(3, 2, 2, 0);
  randomize(valid, 9);
  check_gradients(valid, random_tensor({1, 3, 4, 5}, 10));
}

TEST_CASE("gradients: max and average pooling", "[models][grad]") {
  // Distinct values on a coarse grid: a +-h step never changes a window's argmax.
  Tensor x({2, 2, 4, 6});
  for (std::size_t i = 0; i < x.size(); ++i) x.data[i] = 0.1f * float((i * 37) % x.size());
  MaxPool2d mp(2);
  check_gradients(mp, x);
  AvgPool2d ap(2);
  check_gradients(ap, random_tensor({2, 2, 5, 4}, 11));
}

TEST_CASE("gradients: layer norm", "[models][grad]") {
  LayerNorm ln(6);
  randomize(ln, 12);
  check_gradients(ln, random_tensor({4, 6}, 13, 2.0f));
}

TEST_CASE("gradients: multi-head self-attention", "[models][grad]") {
  MultiHeadAttention attn(8, 2);
  randomize(attn, 14);
  check_gradients(attn, random_tensor({2, 5, 8}, 15));
}

TEST_CASE("gradients: transformer parts", "[models][grad]") {
  EncoderBlock block(8, 2, 12);
  randomize(block, 16);
  check_gradients(block, random_tensor({2, 4, 8}, 17));
  Patchify patch(2);
  check_gradients(patch, random_tensor({2, 2, 4, 6}, 18));
  TokenEmbedding with_cls(3, 4, true), without(3, 4, false);
  randomize(with_cls, 19);
  randomize(without, 20);
  check_gradients(with_cls, random_tensor({2, 3, 4}, 21));
  check_gradients(without, random_tensor({2, 3, 4}, 22));
  TokenPool cls(true), mean(false);
  check_gradients(cls, random_tensor({2, 3, 4}, 23));
  check_gradients(mean, random_tensor({2, 3, 4}, 24));
}

TEST_CASE("gradients: softmax cross-entropy", "[models][grad]") {
  Tensor z = random_tensor({4, 5}, 25, 3.0f);
  const std::uint8_t labels[4] = {0, 4, 2, 2};
  Tensor g;
  const LossStats s = softmax_cross_entropy(z, labels, &g);
  const float h = 1e-3f;
  for (std::size_t i = 0; i < z.size(); ++i) {
    const float saved = z.data[i];
    z.data[i] = saved + h;
    const double lp = softmax_cross_entropy(z, labels).loss_sum / 4.0;
    z.data[i] = saved - h;
    const double lm = softmax_cross_entropy(z, labels).loss_sum / 4.0;
    z.data[i] = saved;
    CHECK((lp - lm) / (2.0 * h) == Approx(g.data[i]).margin(1e-3));
  }
  CHECK(s.loss_sum > 0.0);
}
