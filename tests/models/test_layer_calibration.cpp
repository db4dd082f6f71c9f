// Calibration-aware compression of the built-in models: layer inputs captured
// on training images, sequentially (through the already-compressed earlier
// layers) or all from the dense model.
#include <catch2/catch.hpp>

#include <cmath>

#include "core/error.hpp"
#include "io/scratch.hpp"
#include "models/layer_calibration.hpp"
#include "models/model_input.hpp"
#include "models/model_study.hpp"
#include "tiny_mlp.hpp"

using namespace interplay;

namespace {

const Dataset& train_images() {
  static const Dataset d = load_fashion_mnist("train", 1500);
  return d;
}
const Dataset& test_images() {
  static const Dataset d = load_fashion_mnist("test", 1000);
  return d;
}

// fc1 has 784 inputs, so its calibration needs more than 784 images for a
// well-posed Hessian.
const Model& trained_mlp() {
  static const Model m = test::train_tiny_mlp(train_images(), 5);
  return m;
}

Pipeline pipeline(const char* text) {
  return Pipeline::from_json(json::parse(text));
}

Tensor first_images(std::size_t n) {
  Dataset d;
  train_images().slice(0, n, d.images, d.labels);
  return d.images;
}

double column(const ModelStudy& s, const std::vector<double>& v, const std::string& name) {
  for (std::size_t i = 0; i < s.columns().size(); ++i)
    if (s.columns()[i] == name) return v[i];
  FAIL("no column " << name);
  return 0.0;
}

std::vector<MatmulLayer*> layers_of(Model& m, const LayerSelection& sel) {
  std::vector<MatmulLayer*> out;
  for (auto& l : select_layers(m, sel)) out.push_back(l.layer);
  return out;
}

LayerSelection all_layers() {
  LayerSelection s;
  s.include_first = s.include_last = true;
  return s;
}

}  // namespace

TEST_CASE("layer calibration: a conv layer's captured X is its im2col rows", "[models][calib]") {
  Model cnn(json{{"model", "cnn"}, {"channels", {2, 3}}, {"hidden", 8}});
  cnn.init(3);
  const std::size_t n = 5, k = 3, pad = 1, side = 28;
  const Tensor images = first_images(n);
  auto conv1 = layers_of(cnn, all_layers()).front();
  REQUIRE(conv1->fan_in() == 9);
  // Batches of 2 images: rows must still follow image order.
  const std::vector<Tensor> xs = capture_layer_inputs(cnn, {conv1}, images, 2);
  REQUIRE(xs[0].shape == Shape{n * side * side, k * k});
  std::size_t mismatches = 0;
  for (std::size_t b = 0; b < n; ++b)
    for (std::size_t oy = 0; oy < side; ++oy)
      for (std::size_t ox = 0; ox < side; ++ox)
        for (std::size_t ky = 0; ky < k; ++ky)
          for (std::size_t kx = 0; kx < k; ++kx) {
            const long iy = long(oy + ky) - long(pad), ix = long(ox + kx) - long(pad);
            const bool inside = iy >= 0 && iy < long(side) && ix >= 0 && ix < long(side);
            const float want = inside ? images.data[(b * side + iy) * side + ix] : 0.0f;
            const std::size_t row = (b * side + oy) * side + ox;
            mismatches += xs[0].data[row * k * k + ky * k + kx] != want;
          }
  CHECK(mismatches == 0);
  CHECK_FALSE(conv1->record_input);  // capturing leaves no hooks behind
  CHECK(conv1->recorded_input.size() == 0);

  // The second conv's X has its patches over conv1's 2 pooled channels.
  auto conv2 = layers_of(cnn, all_layers())[1];
  const std::vector<Tensor> x2 = capture_layer_inputs(cnn, {conv2}, images);
  CHECK(x2[0].shape == Shape{n * 14 * 14, 2 * k * k});
}

TEST_CASE("layer calibration: attention projections see token rows", "[models][calib]") {
  Model vit(json{{"model", "vit"}, {"depth", 1}, {"dim", 16}, {"heads", 2}, {"mlp_dim", 32}});
  vit.init(2);
  LayerSelection attn = LayerSelection::from_json(json{{"only", "block*/attn/*"}}, "layers");
  const std::vector<Tensor> xs = capture_layer_inputs(vit, layers_of(vit, attn), first_images(3));
  // 16 patches + the class token per image, dim 16.
  CHECK(xs[0].shape == Shape{3 * 17, 16});
  CHECK(xs[1].shape == Shape{3 * 17, 16});
}

TEST_CASE("layer calibration: sequential X differs from the dense X only after the first layer",
          "[models][calib]") {
  const Tensor images = first_images(900);
  const Pipeline gptq = pipeline(R"([{"quantizer": "int4", "solver": "gptq"}])");
  Model seq(trained_mlp()), dense(trained_mlp());
  compress_weights_calibrated(seq, gptq, all_layers(), nullptr, images, true);
  compress_weights_calibrated(dense, gptq, all_layers(), nullptr, images, false);
  const auto a = layers_of(seq, all_layers()), b = layers_of(dense, all_layers());
  REQUIRE(a.size() == 3);
  // fc1 is fitted on the same X (the images themselves) in both variants.
  CHECK(a[0]->weight().value.data == b[0]->weight().value.data);
  CHECK(a[1]->weight().value.data != b[1]->weight().value.data);
  CHECK(a[2]->weight().value.data != b[2]->weight().value.data);

  // Directly: after compressing fc1, fc1's input is unchanged and fc2's is not.
  Model m(trained_mlp());
  const auto layers = layers_of(m, all_layers());
  const std::vector<Tensor> before = capture_layer_inputs(m, layers, images);
  layers[0]->weight().value.data = a[0]->weight().value.data;
  const std::vector<Tensor> after = capture_layer_inputs(m, layers, images);
  CHECK(after[0].data == before[0].data);
  CHECK(after[1].data != before[1].data);
  CHECK(after[1].shape == Shape{900, 64});
}

TEST_CASE("layer calibration: data-free pipelines are unchanged by the calibration options",
          "[models][calib]") {
  ModelStudyOptions plain;
  plain.probe_images = 32;
  plain.layers = all_layers();
  ModelStudyOptions calibrated = plain;
  calibrated.calibration = ModelCalibrationOptions::from_json(
      json{{"images", 64}, {"sequential", false}}, "calibration");
  ModelStudy a(trained_mlp(), plain, test_images());
  ModelStudy b(trained_mlp(), calibrated, test_images(), train_images());
  for (const char* text :
       {R"(["int4"])", R"([{"sparsifier": "magnitude", "fraction": 0.5}, "mxfp4"])",
        R"(["nvfp4", {"sparsifier": "nm", "n": 2, "m": 4}])"}) {
    const Pipeline p = pipeline(text);
    CHECK((a.evaluate(p) == b.evaluate(p)));
    // ... and equal to the data-free compression itself.
    Model m(trained_mlp());
    compress_weights(m, p, plain.layers, nullptr);
    const EvalResult r = evaluate_model(m, test_images());
    CHECK(column(a, a.evaluate(p), "test_loss") == r.loss);
  }
  // The key is part of the canonical options only when it is given.
  CHECK_FALSE(plain.to_json().contains("calibration"));
  CHECK(calibrated.to_json()["calibration"] == json({{"images", 64}, {"sequential", false}}));
}

TEST_CASE("layer calibration: GPTQ beats round-to-nearest in loss on a small MLP",
          "[models][calib]") {
  // One trained model, fc1 and fc2 compressed with 1200 calibration images
  // (more than fc1's 784 inputs), scored on 1000 held-out test images. A
  // deterministic case, not a rate: it fails if the captured X or the solver
  // is wrong (X of the wrong layer, rows out of order, a transposed H).
  ModelStudyOptions opt = ModelStudyOptions::from_json(json{{"layers", {{"include_first", true}}},
                                                            {"probe_images", 64},
                                                            {"calibration", {{"images", 1200}}}},
                                                       "model");
  ModelStudy study(trained_mlp(), opt, test_images(), train_images());
  for (const char* fmt : {"int4", "mxfp4"}) {
    const std::string rtn = std::string("[\"") + fmt + "\"]";
    const std::string gptq = std::string(R"([{"quantizer": ")") + fmt + R"(", "solver": "gptq"}])";
    const auto r = study.evaluate(pipeline(rtn.c_str()));
    const auto g = study.evaluate(pipeline(gptq.c_str()));
    INFO(fmt << ": loss increase rtn " << column(study, r, "loss_increase") << ", gptq "
             << column(study, g, "loss_increase"));
    CHECK(column(study, g, "loss_increase") < column(study, r, "loss_increase"));
    CHECK(column(study, g, "layer_err.fc2") < column(study, r, "layer_err.fc2"));
  }
  // SparseGPT then GPTQ (S->Q) runs at model level; pruned weights stay zero.
  const auto sq = study.evaluate(pipeline(
      R"([{"sparsifier": "sparsegpt", "fraction": 0.5}, {"quantizer": "int4", "solver": "gptq"}])"));
  CHECK(column(study, sq, "weight_sparsity") >= 0.5);
  CHECK(column(study, sq, "accuracy_drop") < 0.1);
}

TEST_CASE("layer calibration: configuration errors name the JSON path", "[models][calib]") {
  CHECK_THROWS_WITH(
      ModelStudyOptions::from_json(json{{"calibration", {{"images", 0}}}}, "inputs[1]"),
      Catch::Contains("inputs[1].calibration.images: expected a positive number"));
  CHECK_THROWS_WITH(
      ModelStudyOptions::from_json(json{{"calibration", {{"sequental", true}}}}, "inputs[1]"),
      Catch::Contains("inputs[1].calibration: unknown key 'sequental'"));
  CHECK_THROWS_WITH(
      ModelStudyOptions::from_json(json{{"calibration", {{"sequential", 1}}}}, "inputs[1]"),
      Catch::Contains("inputs[1].calibration.sequential: expected true or false"));
  const Pipeline wanda = pipeline(R"([{"sparsifier": "wanda", "fraction": 0.5}])");
  ModelStudyOptions opt;
  opt.probe_images = 16;
  ModelStudy no_train(trained_mlp(), opt, test_images());
  CHECK_THROWS_WITH(no_train.evaluate(wanda), Catch::Contains("need training images"));
  opt.finetune.epochs = 1;
  ModelStudy tuned(trained_mlp(), opt, test_images(), train_images());
  CHECK_THROWS_WITH(tuned.evaluate(wanda), Catch::Contains("not supported with calibrated"));
}

TEST_CASE("layer calibration: a model input's calibration key reaches its study",
          "[models][calib][train]") {
  interplay::test::ScratchDir dir;
  const json entry = {
      {"name", "tiny"},
      {"model", "tiny.h5"},
      {"train", {{"model", "mlp"}, {"arch", {{"hidden", {16}}}}, {"epochs", 1}, {"images", 600}}},
      {"layers", {{"include_first", true}}},
      {"test_images", 200},
      {"probe_images", 16},
      {"calibration", {{"images", 40}, {"sequential", false}}}};
  const ModelInputSpec spec = parse_model_input(entry, "inputs[0]", dir.path(""));
  CHECK(spec.options.calibration.images == 40);
  CHECK_FALSE(spec.options.calibration.sequential);
  CHECK(spec.canonical()["options"]["calibration"] ==
        json({{"images", 40}, {"sequential", false}}));
  // The study was opened without training images; they are loaded on first need.
  const auto study = open_model_study(spec);
  const auto rtn = evaluate_model_point(*study, pipeline(R"(["int4"])")).values;
  const auto gptq =
      evaluate_model_point(*study, pipeline(R"([{"quantizer": "int4", "solver": "gptq"}])")).values;
  CHECK(column(*study, gptq, "weight_rel_l2") > 0.0);
  CHECK(column(*study, gptq, "weight_rel_l2") != column(*study, rtn, "weight_rel_l2"));
  // A run refuses fine-tuning with a calibrated pipeline before it starts.
  ModelInputSpec tuned = spec;
  tuned.options.finetune.epochs = 1;
  CHECK_NOTHROW(check_model_pipeline(tuned, pipeline(R"(["int4"])"), "point 3"));
  CHECK_NOTHROW(check_model_pipeline(spec, pipeline(R"([{"sparsifier": "wanda"}])"), "point 3"));
  CHECK_THROWS_WITH(
      check_model_pipeline(tuned, pipeline(R"([{"sparsifier": "wanda"}])"), "point 3"),
      Catch::Contains("point 3: input 'tiny': wanda: fine-tuning"));
  CHECK_THROWS_WITH(
      parse_model_input(json{{"name", "m"}, {"model", "tiny.h5"}, {"calibraton", json::object()}},
                        "inputs[1]", dir.path("")),
      Catch::Contains("inputs[1]: unknown key 'calibraton'"));
}

TEST_CASE("layer calibration: conv and transformer layers compress through their 2-D view",
          "[models][calib]") {
  Model cnn(json{{"model", "cnn"}, {"channels", {2, 3}}, {"hidden", 8}});
  cnn.init(3);
  Model vit(json{{"model", "vit"}, {"depth", 1}, {"dim", 16}, {"heads", 2}, {"mlp_dim", 32}});
  vit.init(2);
  const Tensor images = first_images(24);
  const Pipeline sparsegpt = pipeline(R"([{"sparsifier": "sparsegpt", "fraction": 0.5}])");
  for (Model* m : {&cnn, &vit}) {
    Model dense(*m);
    compress_weights_calibrated(*m, sparsegpt, all_layers(), nullptr, images, true);
    const auto after = layers_of(*m, all_layers()), before = layers_of(dense, all_layers());
    for (std::size_t i = 0; i < after.size(); ++i) {
      const Param& w = after[i]->weight();
      CHECK(w.value.shape == before[i]->weight().value.shape);  // a conv stays [out, C, k, k]
      std::size_t zeros = 0;
      for (float v : w.value.data) zeros += v == 0.0f;
      INFO(m->kind() << " layer " << i);
      CHECK(zeros == w.value.size() / 2);  // exactly half of every [out, fan_in] matrix
      CHECK(w.value.data != before[i]->weight().value.data);
    }
    Tensor logits;
    m->forward(images, logits);
    for (float v : logits.data) REQUIRE(std::isfinite(v));
  }
}
