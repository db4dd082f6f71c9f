// Layer selection, fixed-mask pipelines, and model-level point evaluation.
#include <catch2/catch.hpp>

#include "core/error.hpp"
#include "io/scratch.hpp"
#include "models/model_input.hpp"
#include "models/model_study.hpp"
#include "tiny_mlp.hpp"

using namespace interplay;

namespace {

std::vector<std::string> paths(const std::vector<NamedMatmul>& layers) {
  std::vector<std::string> p;
  for (auto& l : layers) p.push_back(l.path);
  return p;
}

const Dataset& train_images() {
  static const Dataset d = load_fashion_mnist("train", 1200);
  return d;
}
const Dataset& test_images() {
  static const Dataset d = load_fashion_mnist("test", 400);
  return d;
}

const Model& trained_mlp() {
  static const Model m = test::train_tiny_mlp(train_images(), 11);
  return m;
}

Pipeline pipeline(const char* text) {
  return Pipeline::from_json(json::parse(text));
}

double column(const ModelStudy& s, const std::vector<double>& v, const std::string& name) {
  for (std::size_t i = 0; i < s.columns().size(); ++i)
    if (s.columns()[i] == name) return v[i];
  FAIL("no column " << name);
  return 0.0;
}

}  // namespace

TEST_CASE("compression: layer path patterns", "[models]") {
  CHECK(path_matches("fc1", "fc1"));
  CHECK_FALSE(path_matches("fc1", "fc12"));
  CHECK(path_matches("block*/attn/*", "block0/attn/qkv"));
  CHECK_FALSE(path_matches("block*/attn/*", "block0/fc1"));
  CHECK(path_matches("*", ""));
  CHECK(path_matches("*fc*", "block1/fc2"));
  CHECK_FALSE(path_matches("a*b", "acbx"));
}

TEST_CASE("compression: default selection skips the first and last layers", "[models]") {
  Model mlp(json{{"model", "mlp"}});
  CHECK(paths(select_layers(mlp, {})) == std::vector<std::string>{"fc2"});
  LayerSelection all;
  all.include_first = all.include_last = true;
  CHECK(paths(select_layers(mlp, all)) == std::vector<std::string>{"fc1", "fc2", "fc3"});

  Model vit(json{{"model", "vit"}, {"depth", 2}});
  LayerSelection attn = LayerSelection::from_json(
      json{{"only", "block*/attn/*"}, {"exclude", {"block1/*"}}}, "layers");
  CHECK(paths(select_layers(vit, attn)) ==
        std::vector<std::string>{"block0/attn/qkv", "block0/attn/proj"});
  CHECK_THROWS_WITH(LayerSelection::from_json(json{{"includ_first", true}}, "x.layers"),
                    Catch::Contains("x.layers: unknown key 'includ_first'"));
}

TEST_CASE("compression: a frozen pipeline equals the pipeline, then keeps its masks", "[models]") {
  Tensor w({4, 8});
  for (std::size_t i = 0; i < w.size(); ++i) w.data[i] = float((i * 7) % 13) * 0.1f - 0.6f;
  for (const char* text : {R"([{"sparsifier": "nm", "n": 2, "m": 4}, "int4"])",
                           R"(["int4", {"sparsifier": "nm", "n": 2, "m": 4}])",
                           R"([{"sparsifier": "magnitude", "fraction": 0.5}])"}) {
    const Pipeline p = pipeline(text);
    FrozenPipeline frozen(p, w);
    Tensor out;
    frozen.apply(w, out);
    CHECK(out.data == p.apply(w).data);
    // Different weights: the zeros stay where the masks put them.
    Tensor w2 = w;
    for (float& v : w2.data) v = -v + 0.05f;
    frozen.apply(w2, out);
    const auto& keep = frozen.kept();
    REQUIRE(keep.size() == w.size());
    std::size_t pruned = 0;
    for (std::size_t i = 0; i < keep.size(); ++i) {
      if (!keep[i]) CHECK(out.data[i] == 0.0f);
      pruned += !keep[i];
    }
    CHECK(pruned == 16);
  }
}

TEST_CASE("model study: dense point, compressed points, per-layer errors", "[models]") {
  ModelStudyOptions opt;
  opt.probe_images = 64;
  ModelStudy study(trained_mlp(), opt, test_images());
  CHECK(study.selected_layers() == std::vector<std::string>{"fc2"});
  CHECK(study.columns() == std::vector<std::string>{"test_accuracy", "test_loss", "accuracy_drop",
                                                    "loss_increase", "weight_rel_l2",
                                                    "weight_sparsity", "layer_err.fc1",
                                                    "layer_err.fc2", "layer_err.fc3"});
  CHECK(study.dense_result().accuracy > 0.7);

  const auto dense = study.evaluate(Pipeline::from_json(json::array()));
  CHECK(column(study, dense, "test_accuracy") == study.dense_result().accuracy);
  CHECK(column(study, dense, "accuracy_drop") == 0.0);
  CHECK(column(study, dense, "loss_increase") == 0.0);
  CHECK(column(study, dense, "layer_err.fc3") == 0.0);

  const auto sparse = study.evaluate(pipeline(R"([{"sparsifier": "nm", "n": 1, "m": 4}])"));
  CHECK(column(study, sparse, "weight_sparsity") >= 0.75);
  CHECK(column(study, sparse, "layer_err.fc1") == 0.0);  // upstream of the first compressed layer
  CHECK(column(study, sparse, "layer_err.fc2") > 0.1);
  CHECK(column(study, sparse, "layer_err.fc3") > 0.0);
  CHECK(column(study, sparse, "loss_increase") > 0.0);

  const auto int8 = study.evaluate(pipeline(R"(["int8"])"));
  CHECK(column(study, int8, "weight_rel_l2") < 0.01);
  CHECK(column(study, int8, "layer_err.fc2") < column(study, sparse, "layer_err.fc2"));
  CHECK(std::abs(column(study, int8, "accuracy_drop")) < 0.01);

  // Quantizing the inputs as well adds error on top of the weights alone.
  opt.activation_quantizer = "same";
  ModelStudy with_inputs(trained_mlp(), opt, test_images());
  const auto wa = with_inputs.evaluate(pipeline(R"(["int4"])"));
  const auto w_only = study.evaluate(pipeline(R"(["int4"])"));
  CHECK(column(study, wa, "layer_err.fc2") > column(study, w_only, "layer_err.fc2"));
  CHECK(column(study, wa, "weight_rel_l2") == column(study, w_only, "weight_rel_l2"));
}

TEST_CASE("model study: fine-tuning keeps the masks and recovers loss", "[models][train]") {
  ModelStudyOptions opt = ModelStudyOptions::from_json(
      json{{"finetune", {{"epochs", 1}, {"lr", 1e-3}, {"batch", 50}, {"images", 600}}},
           {"layers", {{"include_first", true}}},
           {"probe_images", 32}},
      "model");
  ModelStudy tuned(trained_mlp(), opt, test_images(), train_images());
  opt.finetune.epochs = 0;
  ModelStudy plain(trained_mlp(), opt, test_images());
  const Pipeline p = pipeline(R"([{"sparsifier": "nm", "n": 1, "m": 4}, "int4"])");
  const auto before = plain.evaluate(p), after = tuned.evaluate(p);
  CHECK(column(plain, after, "weight_sparsity") >= 0.75);
  CHECK(column(plain, after, "test_loss") < column(plain, before, "test_loss"));
  CHECK((tuned.evaluate(p) == after));  // deterministic
  // The reference of a fine-tuned study is the dense model fine-tuned alike.
  const auto dense = tuned.evaluate(Pipeline());
  CHECK(column(tuned, dense, "accuracy_drop") == 0.0);
  CHECK(column(tuned, dense, "loss_increase") == 0.0);
  CHECK(column(tuned, dense, "layer_err.fc3") == 0.0);
  CHECK(column(tuned, dense, "test_loss") != plain.dense_result().loss);
  CHECK_THROWS_WITH(ModelStudyOptions::from_json(json{{"finetune", {{"epoch", 1}}}}, "m"),
                    Catch::Contains("m.finetune: unknown training setting 'epoch'"));
  CHECK_THROWS_WITH(ModelStudyOptions::from_json(json{{"activation_quantizer", "mxfp5"}}, "m"),
                    Catch::Contains("did you mean 'mxfp4'"));
}

TEST_CASE("model input: parsing, training a missing model, evaluating points", "[models][train]") {
  interplay::test::ScratchDir dir;
  const json entry = {{"name", "tiny"},
                      {"model", "tiny.h5"},
                      {"train",
                       {{"model", "mlp"},
                        {"arch", {{"hidden", {16}}}},
                        {"epochs", 2},
                        {"images", 1000},
                        {"batch", 25},
                        {"lr", 3e-3}}},
                      {"layers", {{"include_first", true}}},
                      {"test_images", 200},
                      {"probe_images", 16}};
  const ModelInputSpec spec = parse_model_input(entry, "inputs[0]", dir.path(""));
  CHECK(spec.weights == dir.path("tiny.h5"));
  const std::vector<std::string> columns = model_input_columns(spec);  // before training
  CHECK(columns.back() == "layer_err.fc2");
  CHECK(spec.options.layers.include_first);
  const auto study = open_model_study(spec);
  CHECK(interplay::test::file_exists(dir.path("tiny.h5")));
  CHECK(study->selected_layers() == std::vector<std::string>{"fc1"});
  const auto v = evaluate_model_point(*study, pipeline(R"(["int8"])")).values;
  REQUIRE(v.size() == study->columns().size());
  CHECK(study->columns() == columns);
  CHECK(v[0] > 0.5);  // accuracy after two short epochs, int8 weights

  CHECK_THROWS_WITH(parse_model_input(json{{"name", "m"}, {"model", "nope.h5"}}, "inputs[1]", ""),
                    Catch::Contains("inputs[1].model: nope.h5: weights file not found"));
  CHECK_THROWS_WITH(
      parse_model_input(json{{"name", "m"}, {"model", "x.h5"}, {"finetun", json::object()}},
                        "inputs[1]", ""),
      Catch::Contains("inputs[1]: unknown key 'finetun'; did you mean 'finetune'"));
  CHECK_THROWS_WITH(
      parse_model_input(
          json{{"name", "m"}, {"model", "x.h5"}, {"train", {{"model", "vit"}, {"heads", 5}}}},
          "inputs[1]", ""),
      Catch::Contains("inputs[1].train: unknown training setting 'heads'"));
}
