// The byte-level GPT: its new layers against finite differences, causal
// masking, the architecture and weight files, perplexity on a hand-checked
// case, and a short deterministic training run.
#include <omp.h>

#include <catch2/catch.hpp>
#include <cmath>

#include "gradcheck.hpp"
#include "io/scratch.hpp"
#include "models/attention.hpp"
#include "models/byte_embedding.hpp"
#include "models/lm_trainer.hpp"
#include "models/ngram.hpp"
#include "models/vit_parts.hpp"
#include "models/weights_file.hpp"

using namespace interplay;
using interplay::test::check_gradients;
using interplay::test::random_tensor;
using interplay::test::ScratchDir;

namespace {

template <class L>
L& randomize(L& layer, std::uint64_t seed) {
  std::function<void(Layer&)> fill = [&](Layer& l) {
    for (Param& p : l.params()) p.value = random_tensor(p.value.shape, seed++, 0.5f);
    for (auto& [n, c] : l.children()) fill(*c);
  };
  fill(layer);
  return layer;
}

Tensor bytes_tensor(const std::string& s, std::size_t rows) {
  Tensor x({rows, s.size() / rows});
  for (std::size_t i = 0; i < s.size(); ++i) x.data[i] = float(static_cast<unsigned char>(s[i]));
  return x;
}

json tiny_gpt() {
  return {{"model", "gpt"}, {"context", 16}, {"dim", 16},
          {"depth", 2},     {"heads", 2},    {"mlp_dim", 32}};
}

}  // namespace

TEST_CASE("gradients: byte embedding", "[models][grad][gpt]") {
  ByteEmbedding e(5, 4);
  randomize(e, 31);
  // Repeated bytes: their gradient rows must accumulate.
  check_gradients(e, bytes_tensor("abcaXbb a", 3));
}

TEST_CASE("gradients: causal attention and decoder block", "[models][grad][gpt]") {
  MultiHeadAttention attn(8, 2, true);
  randomize(attn, 32);
  check_gradients(attn, random_tensor({2, 5, 8}, 33));
  EncoderBlock block(8, 2, 12, true);
  randomize(block, 34);
  CHECK(block.kind() == "decoder_block");
  check_gradients(block, random_tensor({2, 4, 8}, 35));
}

TEST_CASE("gpt: changing token t changes no logit before t", "[models][gpt]") {
  Model m(tiny_gpt());
  m.init(7);
  const std::string text = "In the beginning";
  Tensor base;
  m.forward(bytes_tensor(text, 1), base);
  REQUIRE(base.shape == Shape{1, 16, 256});
  for (std::size_t t : std::vector<std::size_t>{0, 5, 15}) {
    std::string changed = text;
    changed[t] = 'Z';
    Tensor y;
    m.forward(bytes_tensor(changed, 1), y);
    // Bit-identical before t (the masked scores are never computed), different at t.
    for (std::size_t i = 0; i < t * 256; ++i) REQUIRE(y.data[i] == base.data[i]);
    bool differs = false;
    for (std::size_t i = t * 256; i < (t + 1) * 256; ++i) differs |= y.data[i] != base.data[i];
    CHECK(differs);
  }
  // The unmasked block does leak the future, so the test above can fail.
  MultiHeadAttention open(8, 2, false), causal(8, 2, true);
  randomize(open, 36);
  randomize(causal, 36);
  Tensor x = random_tensor({1, 4, 8}, 37), a, b;
  open.forward(x, a);
  x.data[3 * 8] += 1.0f;  // token 3
  open.forward(x, b);
  CHECK(a.data[0] != b.data[0]);
}

TEST_CASE("gpt: architecture, matmul layers and weights file", "[models][gpt][io]") {
  Model m(tiny_gpt());
  CHECK(m.architecture()["input"] == json{16});
  CHECK(m.classes() == 256);
  std::vector<std::string> paths;
  for (auto& [p, l] : m.matmul_layers()) paths.push_back(p);
  CHECK(paths == std::vector<std::string>{"block0/attn/qkv", "block0/attn/proj", "block0/fc1",
                                          "block0/fc2", "block1/attn/qkv", "block1/attn/proj",
                                          "block1/fc1", "block1/fc2", "head"});
  // 256*16 + 16*16 embeddings; per block 2 norms, qkv, proj, fc1, fc2; final norm; head.
  const std::size_t block =
      2 * 32 + (16 * 48 + 48) + (16 * 16 + 16) + (16 * 32 + 32) + (32 * 16 + 16);
  CHECK(m.parameter_count() == 256 * 16 + 16 * 16 + 2 * block + 32 + 16 * 256 + 256);
  CHECK_THROWS_WITH(Model(json{{"model", "gpt"}, {"heads", 3}}),
                    Catch::Contains("architecture.heads"));
  CHECK_THROWS_WITH(Model(json{{"model", "gpt"}, {"contxt", 3}}),
                    Catch::Contains("did you mean 'context'"));
  Tensor y;
  CHECK_THROWS_WITH(m.forward(Tensor({1, 17}, 0.0f), y), Catch::Contains("1 <= t <= 16"));
  CHECK_THROWS_WITH(m.forward(Tensor({1, 2}, 300.0f), y), Catch::Contains("not a byte"));

  ScratchDir dir;
  m.init(3);
  save_model(m, dir.path("g.h5"), json{{"note", 1}});
  LoadedModel back = load_model(dir.path("g.h5"));
  const Tensor x = bytes_tensor("And God said, Le", 1);
  Tensor a, b;
  m.forward(x, a);
  back.model->forward(x, b);
  CHECK(a.data == b.data);
}

TEST_CASE("gpt: perplexity of a hand-checked case", "[models][gpt]") {
  // Head weight 0 and bias log p: every position predicts p(a) = 1/2,
  // p(b) = 1/4 and 1/(4*254) for each other byte, whatever the input.
  Model m(tiny_gpt());
  m.init(1);
  for (auto& [path, layer] : m.matmul_layers())
    if (path == "head") {
      std::fill(layer->weight().value.data.begin(), layer->weight().value.data.end(), 0.0f);
      auto& bias = layer->params()[1].value.data;
      std::fill(bias.begin(), bias.end(), float(std::log(0.25 / 254)));
      bias['a'] = float(std::log(0.5));
      bias['b'] = float(std::log(0.25));
    }
  // Targets a, b, a, c: loss = (ln 2 + ln 4 + ln 2 + ln 1016) / 4.
  const LmEval e = evaluate_lm(m, "xabac");
  CHECK(e.bytes == 4);
  const double expected = (std::log(2.0) * 4 + std::log(1016.0)) / 4;
  CHECK(e.loss == Approx(expected).epsilon(1e-6));
  CHECK(e.perplexity() == Approx(std::pow(2.0 * 4 * 2 * 1016, 0.25)).epsilon(1e-6));
  CHECK(e.bits_per_byte() == Approx((4 + std::log2(1016.0)) / 4).epsilon(1e-6));
  // Longer than the context (16): 2 full chunks and a 3-byte tail, each byte once.
  const std::string long_text = std::string(36, 'a');
  const LmEval l = evaluate_lm(m, long_text, 1);
  CHECK(l.bytes == 35);
  CHECK(l.perplexity() == Approx(2.0).epsilon(1e-6));
}

TEST_CASE("gpt: a short training run reaches a stated loss, reproducibly", "[models][gpt][train]") {
  // A repeated sentence: after 30 epochs of 48 windows (180 steps) the model
  // predicts most bytes (from ln 256 = 5.5 nats).
  std::string text;
  while (text.size() < 16 * 50) text += "In the beginning God created the heaven and the earth.\n";
  TrainConfig c;
  c.epochs = 30, c.batch = 8, c.lr = 1e-2, c.seed = 4, c.warmup_steps = 5;
  std::vector<float> first;
  for (int run = 0; run < 2; ++run) {
    omp_set_num_threads(run + 1);  // the second run with 2 threads: the same weights
    Model m(tiny_gpt());
    m.init(c.seed);
    const TrainResult r = train_lm(m, text, c);
    REQUIRE(r.epoch_loss.size() == 30);
    INFO(r.epoch_loss[0] << " " << r.epoch_loss[9] << " " << r.epoch_loss[29]);
    CHECK(r.epoch_loss[0] < std::log(256.0));
    CHECK(r.epoch_loss[29] < 0.5);
    CHECK(evaluate_lm(m, text).loss < 0.5);
    std::vector<float> w;
    for (Param* p : m.parameters()) w.insert(w.end(), p->value.data.begin(), p->value.data.end());
    if (run == 0)
      first = w;
    else
      CHECK((w == first));  // (parenthesised: no dump of the weights on failure)
  }
  omp_set_num_threads(omp_get_num_procs());
}

TEST_CASE("ngram: Kneser-Ney probabilities, hand-checked and normalised", "[models][gpt]") {
  // Order 1 on "aab": counts a 2, b 1; n1 = n2 = 1, so D = 1/3; 2 distinct
  // bytes: P(a) = (2 - 1/3 + (1/3)(2)(1/256)) / 3.
  const KneserNey uni("aab", 1);
  CHECK(uni.probability("xa", 1) == Approx((2 - 1.0 / 3 + 2.0 / 3 / 256) / 3).epsilon(1e-12));
  CHECK(uni.probability("xc", 1) == Approx((2.0 / 3 / 256) / 3).epsilon(1e-12));
  // Order 3: every context (seen, partly seen, unseen) gives a distribution over 256 bytes.
  const KneserNey tri("abracadabra abracadabra", 3);
  for (const std::string h : {"ab", "ra", "zz", "a", ""}) {
    double sum = 0;
    for (int w = 0; w < 256; ++w) sum += tri.probability(h + char(w), h.size());
    CHECK(sum == Approx(1.0).epsilon(1e-9));
  }
  CHECK(tri.probability("abr", 2) > 0.5);  // "ab" is always followed by 'r'
  CHECK_THROWS_WITH(KneserNey("abc", 8), Catch::Contains("order must be 1..7"));
}
