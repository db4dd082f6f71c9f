// The gpt model as the subject of a model study (perplexity columns, chunk
// replicates, the attention-product quantizer) on tiny models.
#include <catch2/catch.hpp>
#include <cmath>

#include "core/pipeline.hpp"
#include "gradcheck.hpp"
#include "models/attention.hpp"
#include "models/lm_trainer.hpp"
#include "models/model_study.hpp"

using namespace interplay;
using interplay::test::random_tensor;

namespace {

json tiny_gpt() {
  return {{"model", "gpt"}, {"context", 16}, {"dim", 16},
          {"depth", 2},     {"heads", 2},    {"mlp_dim", 32}};
}

std::string sentence_text(std::size_t bytes) {
  std::string text;
  while (text.size() < bytes) text += "In the beginning God created the heaven and the earth.\n";
  text.resize(bytes);
  return text;
}

// A tiny model that has learnt something, so that compression hurts it.
Model trained_tiny_gpt() {
  Model m(tiny_gpt());
  TrainConfig c;
  c.epochs = 8, c.batch = 8, c.lr = 1e-2, c.seed = 4, c.warmup_steps = 5;
  m.init(c.seed);
  train_lm(m, sentence_text(16 * 50), c);
  return m;
}

double column(const ModelStudy& study, const std::vector<double>& v, const std::string& name) {
  const auto& c = study.columns();
  const auto it = std::find(c.begin(), c.end(), name);
  REQUIRE(it != c.end());
  return v[std::size_t(it - c.begin())];
}

}  // namespace

TEST_CASE("lm study: perplexity columns equal lm-eval's, gaps are compressed - dense",
          "[models][gpt][study]") {
  const Model dense = trained_tiny_gpt();
  // 301 test bytes: 18 full chunks of 16 and a 12-byte tail.
  const std::string test = sentence_text(401).substr(100), train = sentence_text(2000);
  ModelStudyOptions o;
  o.layers.include_first = o.layers.include_last = true;
  o.layers.only = {"block*"};
  o.activation_quantizer = "same";
  o.probe_images = 4;
  ModelStudy study(dense, o, LmTexts{test, train});
  const Pipeline p = Pipeline::from_text("int4");

  // lm-eval's computation: the pipeline on the blocks' weights and inputs.
  Model copy(dense);
  compress_weights(copy, p, o.layers, last_quantizer(p));
  const LmEval e = evaluate_lm(copy, test);
  const PointEvaluation point = study.evaluate_point(p);
  const auto& v = point.values;
  CHECK(column(study, v, "test_loss") == e.loss);
  CHECK(column(study, v, "test_perplexity") == e.perplexity());
  CHECK(column(study, v, "test_bits_per_byte") == e.bits_per_byte());
  Model plain(dense);
  const LmEval d = evaluate_lm(plain, test);
  CHECK(study.dense_result().loss == d.loss);
  // Lower is better: the damage is positive, and the empty pipeline is the reference.
  CHECK(column(study, v, "loss_increase") == Approx(e.loss - d.loss));
  CHECK(column(study, v, "loss_increase") > 0.0);
  CHECK(column(study, v, "perplexity_increase") ==
        Approx(e.perplexity() - d.perplexity()).epsilon(1e-12));
  const PointEvaluation none = study.evaluate_point(Pipeline());
  CHECK(column(study, none.values, "loss_increase") == 0.0);
  CHECK(column(study, none.values, "perplexity_increase") == 0.0);

  // Replicates: one per chunk multiset, in the order of lm_replicate_columns().
  REQUIRE(point.replicate_columns == lm_replicate_columns());
  const std::size_t B = kExampleReplicates;
  REQUIRE(point.replicates.size() == 5 * B);
  double mean = 0.0, spread = 0.0;
  for (std::size_t b = 0; b < B; ++b) {
    mean += point.replicates[b] / double(B);
    CHECK(point.replicates[B + b] == std::exp(point.replicates[b]));
    spread = std::max(spread, std::abs(point.replicates[b] - e.loss));
  }
  CHECK(mean == Approx(e.loss).epsilon(0.05));  // centred on the value
  CHECK(spread > 0.0);                          // and resampled
  CHECK(none.replicates[3 * B] == 0.0);         // loss_increase of the reference

  // Layer-wise columns: every matmul, each block's residual stream after its own.
  const auto& c = study.columns();
  const auto at = [&](const std::string& n) {
    return std::find(c.begin(), c.end(), n) - c.begin();
  };
  CHECK(at("layer_err.block0.fc2") < at("layer_err.block0"));
  CHECK(at("layer_err.block0") < at("layer_err.block1.attn.qkv"));
  CHECK(at("layer_err.block1") < at("layer_err.head"));
  CHECK(column(study, v, "layer_err.block1") > 0.0);
  CHECK(column(study, none.values, "layer_err.block1") == 0.0);
}

TEST_CASE("lm study: options that do not fit are errors naming the key", "[models][gpt][study]") {
  const Model dense(tiny_gpt());
  ModelStudyOptions o;
  o.test_images = 10;
  CHECK_THROWS_WITH(ModelStudy(dense, o, LmTexts{sentence_text(100), sentence_text(100)}),
                    Catch::Contains("test_images") && Catch::Contains("test_bytes"));
  CHECK_THROWS_WITH(ModelStudyOptions::from_json(json{{"attention_quantizer", "magnitude"}}, "in"),
                    Catch::Contains("in.attention_quantizer"));
  CHECK_THROWS_WITH(ModelStudyOptions::from_json(json{{"test_bytes", -1}}, "in"),
                    Catch::Contains("in.test_bytes"));
}

TEST_CASE("attention quantizer: rounds Q, K, A and V along their reductions",
          "[models][gpt][attention]") {
  const std::size_t T = 5, D = 8, H = 2, dh = D / H;
  MultiHeadAttention attn(D, H, true);
  std::uint64_t seed = 50;
  for (auto& [name, child] : attn.children())
    for (Param& p : child->params()) p.value = random_tensor(p.value.shape, seed++, 0.5f);
  const Tensor x = random_tensor({1, T, D}, 60, 1.0f);
  Tensor dense, quantized;
  attn.forward(x, dense);
  const auto q = Pipeline::from_text("mxfp4").steps().back().quantizer;
  attn.matmul_quantizer = q;
  attn.forward(x, quantized);
  CHECK(quantized.data != dense.data);

  // Reference: the products written out on explicitly rounded operands.
  Layer& qkv_layer = *attn.children()[0].second;
  Layer& proj_layer = *attn.children()[1].second;
  Tensor qkv;
  qkv_layer.forward(x, qkv);
  Tensor context({1, T, D});
  for (std::size_t h = 0; h < H; ++h) {
    Tensor qh({T, dh}), kh({T, dh}), vt({dh, T});
    for (std::size_t t = 0; t < T; ++t)
      for (std::size_t d = 0; d < dh; ++d) {
        qh.data[t * dh + d] = qkv.data[t * 3 * D + h * dh + d];
        kh.data[t * dh + d] = qkv.data[t * 3 * D + D + h * dh + d];
        vt.data[d * T + t] = qkv.data[t * 3 * D + 2 * D + h * dh + d];
      }
    q->quantize(qh, qh);
    q->quantize(kh, kh);
    q->quantize(vt, vt);
    // In float and in the layer's order, so that no probability lands on the
    // other side of a rounding boundary.
    Tensor a({T, T});
    const float scale = 1.0f / std::sqrt(float(dh));
    for (std::size_t t = 0; t < T; ++t) {
      float* row = a.data.data() + t * T;
      float mx = -INFINITY;
      for (std::size_t s = 0; s <= t; ++s) {
        float dot = 0.0f;
        for (std::size_t d = 0; d < dh; ++d) dot += qh.data[t * dh + d] * kh.data[s * dh + d];
        row[s] = dot * scale;
        mx = std::max(mx, row[s]);
      }
      float sum = 0.0f;
      for (std::size_t s = 0; s <= t; ++s) sum += (row[s] = std::exp(row[s] - mx));
      const float inv = 1.0f / sum;
      for (std::size_t s = 0; s <= t; ++s) row[s] *= inv;
    }
    q->quantize(a, a);
    for (std::size_t t = 0; t < T; ++t)
      for (std::size_t d = 0; d < dh; ++d) {
        float o = 0.0f;
        for (std::size_t s = 0; s <= t; ++s) o += a.data[t * T + s] * vt.data[d * T + s];
        context.data[t * D + h * dh + d] = o;
      }
  }
  Tensor expected;
  proj_layer.forward(context, expected);
  REQUIRE(expected.size() == quantized.size());
  for (std::size_t i = 0; i < expected.size(); ++i)
    CHECK(quantized.data[i] == Approx(expected.data[i]).margin(1e-5));
}

TEST_CASE("attention quantizer: a no-op where the 8-bit format is exact",
          "[models][gpt][attention]") {
  // One token: A = [1] exactly, and integer-valued q, k, v of magnitude <= 16
  // are FP8 E4M3 values, so rounding changes nothing, bit for bit.
  const std::size_t D = 8;
  MultiHeadAttention attn(D, 2, true);
  for (auto& [name, child] : attn.children()) {
    Param& w = child->params()[0];
    std::fill(w.value.data.begin(), w.value.data.end(), 0.0f);
    for (std::size_t r = 0; r < w.value.shape[0]; ++r) w.value.data[r * D + r % D] = 1.0f;
    std::fill(child->params()[1].value.data.begin(), child->params()[1].value.data.end(), 0.0f);
  }
  Tensor x({3, 1, D});
  for (std::size_t i = 0; i < x.size(); ++i) x.data[i] = float(int(i % 9) - 4);
  Tensor dense, quantized;
  attn.forward(x, dense);
  attn.matmul_quantizer = Pipeline::from_text("fp8_e4m3").steps().back().quantizer;
  attn.forward(x, quantized);
  CHECK(quantized.data == dense.data);
  CHECK(dense.data == x.data);  // the identity-like weights pass x through
}

TEST_CASE("lm study: calibrated pipelines fit on windows of the training text",
          "[models][gpt][study]") {
  const Model dense = trained_tiny_gpt();
  ModelStudyOptions o;
  o.layers.include_first = o.layers.include_last = true;
  o.layers.only = {"block*"};
  o.probe_images = 2;
  o.calibration.images = 12;  // 12 windows of 16 bytes: 192 rows per layer (fan-in <= 32)
  ModelStudy study(dense, o, LmTexts{sentence_text(300), sentence_text(2000)});
  const auto gptq =
      study.evaluate(Pipeline::from_text(R"({"quantizer": "int4", "solver": "gptq"})"));
  const auto rtn = study.evaluate(Pipeline::from_text("int4"));
  const double loss = column(study, gptq, "test_loss");
  CHECK(std::isfinite(loss));
  CHECK(loss != column(study, rtn, "test_loss"));  // the solver did use the calibration rows
  // A study without training text cannot calibrate, and says so.
  ModelStudy no_train(dense, o, LmTexts{sentence_text(300), ""});
  CHECK_THROWS_WITH(
      no_train.evaluate(Pipeline::from_text(R"({"quantizer": "int4", "solver": "gptq"})")),
      Catch::Contains("calibration"));
}

TEST_CASE("lm study: fine-tuning under a pipeline keeps its mask and recovers loss",
          "[models][gpt][study]") {
  const Model dense = trained_tiny_gpt();
  const std::string test = sentence_text(401).substr(100), train = sentence_text(16 * 50);
  ModelStudyOptions o;
  o.layers.include_first = o.layers.include_last = true;
  o.layers.only = {"block*"};
  o.probe_images = 4;
  const ModelStudy plain(dense, o, LmTexts{test, train});
  o.finetune.epochs = 2, o.finetune.batch = 8, o.finetune.lr = 3e-3, o.finetune.seed = 1;
  const ModelStudy tuned(dense, o, LmTexts{test, train});
  const Pipeline p = Pipeline::from_json(
      json::parse(R"({"steps": [{"sparsifier": "nm", "n": 2, "m": 4}, {"quantizer": "int4"}]})"));
  const auto before = plain.evaluate_point(p).values, after = tuned.evaluate_point(p).values;
  // The 2:4 mask chosen on the dense weights survives training (int4 may
  // round a few kept weights to zero as well).
  CHECK(column(tuned, after, "weight_sparsity") >= 0.5);
  CHECK(column(tuned, after, "test_loss") < column(plain, before, "test_loss"));
  // The reference is the dense model fine-tuned the same way.
  CHECK(column(tuned, tuned.evaluate_point(Pipeline()).values, "loss_increase") == 0.0);
  CHECK(tuned.dense_result().loss != plain.dense_result().loss);
}
