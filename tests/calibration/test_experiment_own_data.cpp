// Tensor inputs that bring their own data into `interplay run`: a held-out
// evaluation X ("activations"), a calibration X ("calibration") or H
// ("hessian") from files, and the layers of a trained built-in model
// ("layer_inputs": weights, inputs on test images, inputs on training images).
// Each point's value must equal the metric computed here from the same data
// through the library, so the runner provably uses the right X for each role.
#include <omp.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <map>

#include "cli/run_cli.hpp"
#include "experiment/result_file.hpp"
#include "helpers.hpp"
#include "io/npy.hpp"
#include "models/dataset.hpp"
#include "models/layer_calibration.hpp"
#include "models/weights_file.hpp"

extern "C" void openblas_set_num_threads(int) __attribute__((weak));

using namespace interplay;
using namespace interplay::test;
using Catch::Matchers::Contains;

namespace {

const char* kSweep = R"("metrics": ["output"],
  "sweep": {"sparsity": [{"sparsifier": "sparsegpt", "fraction": 0.5, "label": "sgpt"}],
            "formats": [{"quantizer": "int4", "solver": "gptq", "label": "gptq4"}],
            "orders": ["S", "Q", "S->Q"]})";

// "S" / "Q" / "S->Q" as the pipeline those points run.
Pipeline pipeline_of(const std::string& order) {
  const json s = {{"sparsifier", "sparsegpt"}, {"fraction", 0.5}};
  const json q = {{"quantizer", "int4"}, {"solver", "gptq"}};
  const json steps = order == "S" ? json{s} : order == "Q" ? json{q} : json{s, q};
  return Pipeline::from_json({{"steps", steps}});
}

// Computed as the runner does, with one OpenMP and one BLAS thread per point.
// (In this process, two threads gave values 1e-8 apart for this layer, while
// `compress` with OMP_NUM_THREADS 1 and 2 agreed bit for bit on its data.)
double expected_output(const Tensor& w, const Tensor& eval_x, const Calibration& calib,
                       const std::string& order) {
  const int threads = omp_get_max_threads();
  omp_set_num_threads(1);
  if (openblas_set_num_threads) openblas_set_num_threads(1);
  MetricContext ctx;
  ctx.activations = &eval_x;
  const double v = MetricSet::from_json(json::array({"output"}))
                       .evaluate(w, pipeline_of(order).apply(w, &calib), ctx)[0];
  omp_set_num_threads(threads);
  if (openblas_set_num_threads) openblas_set_num_threads(threads);
  return v;
}

}  // namespace

TEST_CASE("run: a file input names its own evaluation X and calibration X or H",
          "[calibration][experiment]") {
  ScratchDir dir;
  const Tensor w = normal_tensor({16, 32}, 1);
  const Tensor xcal = correlated_inputs(512, 32, 2), xeval = correlated_inputs(128, 32, 3);
  io::write_npy(dir.path("w.npy"), w);
  io::write_npy(dir.path("xcal.npy"), xcal);
  io::write_npy(dir.path("xeval.npy"), xeval);
  io::write_npy(dir.path("h.npy"), accumulate_hessian(xcal));
  const std::string cfg = dir.path("own.json");
  std::ofstream(cfg) << R"({"name": "own", "inputs": [
      {"name": "by_x", "file": "w.npy", "activations": {"file": "xeval.npy"},
       "calibration": {"file": "xcal.npy"}},
      {"name": "by_h", "file": "w.npy", "activations": {"file": "xeval.npy"},
       "hessian": {"file": "h.npy"}}],)"
                     << kSweep << "}";
  const std::string h5 = dir.path("own.h5");
  const auto r = run_cli({"run", cfg, "--output", h5, "-q"});
  INFO(r.err);
  REQUIRE(r.status == 0);

  const auto t = experiment::read_results(h5).table;
  REQUIRE(t.rows() == 6);
  const Calibration calib = Calibration::from_inputs(xcal);
  std::map<std::string, double> by_x, by_h;
  for (std::size_t i = 0; i < t.rows(); ++i) {
    const std::string order = t.at("order").strings[i];
    CHECK(t.at("activation").strings[i] == "input's own");
    (t.at("input").strings[i] == "by_x" ? by_x : by_h)[order] = t.at("output").numbers[i];
    CHECK(t.at("output").numbers[i] == expected_output(w, xeval, calib, order));
  }
  // GPTQ and SparseGPT only read H: X and the H accumulated from it agree exactly.
  CHECK(by_x == by_h);

  SECTION("errors name the input's key and both shapes") {
    io::write_npy(dir.path("h_bad.npy"), accumulate_hessian(correlated_inputs(64, 16, 4)));
    std::ofstream(cfg) << R"({"name": "own", "inputs": [
        {"name": "w", "file": "w.npy", "hessian": {"file": "h_bad.npy"}}],)"
                       << kSweep << "}";
    auto bad = run_cli({"run", cfg, "--output", dir.path("bad.h5"), "-q"});
    CHECK(bad.status != 0);
    CHECK_THAT(bad.err,
               Contains("inputs[0].hessian") && Contains("[16,16]") && Contains("[16,32]"));
    std::ofstream(cfg) << R"({"name": "own", "inputs": [
        {"name": "w", "file": "w.npy", "hessian": {"file": "h.npy"},
         "calibration": {"file": "xcal.npy"}}],)"
                       << kSweep << "}";
    bad = run_cli({"run", cfg, "--output", dir.path("bad.h5"), "-q"});
    CHECK(bad.status != 0);
    CHECK_THAT(bad.err, Contains("inputs[0]") && Contains("not both"));
    std::ofstream(cfg) << R"({"name": "own", "inputs": [{"name": "w", "file": "w.npy"}],)" << kSweep
                       << "}";
    bad = run_cli({"run", cfg, "--output", dir.path("bad.h5"), "-q"});
    CHECK(bad.status != 0);
    CHECK_THAT(bad.err, Contains("needs calibration data") && Contains("\"hessian\""));
    CHECK_FALSE(file_exists(dir.path("bad.h5")));
  }
}

TEST_CASE("run: the layers of a trained model as tensor inputs (layer_inputs)",
          "[calibration][experiment][models]") {
  ScratchDir dir;
  const std::string weights = dir.path("mlp.h5");
  const json train = {{"model", "mlp"}, {"arch", {{"hidden", {32, 16}}}},
                      {"epochs", 1},    {"images", 1500},
                      {"batch", 50},    {"lr", 3e-3}};
  const json input = {{"name", "mlp"},
                      {"model", weights},
                      {"train", train},
                      {"layers", {{"include_first", true}}},
                      {"calibration", {{"images", 300}}},
                      {"layer_inputs", {{"test_images", 100}}}};
  const std::string cfg = dir.path("layers.json");
  std::ofstream(cfg) << R"({"name": "layers", "inputs": [)" << input.dump() << "]," << kSweep
                     << "}";
  const std::string h5 = dir.path("layers.h5");
  const auto r = run_cli({"run", cfg, "--output", h5, "-q"});
  INFO(r.err);
  REQUIRE(r.status == 0);

  // The same data through the library: the trained model's fc1 and fc2, their
  // inputs on the first 100 test images (scored) and 300 training images (fitted).
  LoadedModel loaded = load_model(weights);
  std::map<std::string, MatmulLayer*> layer;
  for (const auto& m : loaded.model->matmul_layers()) layer[m.path] = m.layer;
  const std::vector<MatmulLayer*> both{layer.at("fc1"), layer.at("fc2")};
  const auto eval =
      capture_layer_inputs(*loaded.model, both, load_fashion_mnist("test", 100).images);
  const auto cal =
      capture_layer_inputs(*loaded.model, both, load_fashion_mnist("train", 300).images);
  REQUIRE(eval[0].shape == Shape{100, 784});

  const auto t = experiment::read_results(h5).table;
  REQUIRE(t.rows() == 2 * 3);
  for (std::size_t i = 0; i < t.rows(); ++i) {
    const std::string in = t.at("input").strings[i];
    REQUIRE((in == "mlp:fc1" || in == "mlp:fc2"));
    CHECK(t.at("activation").strings[i] == "captured");
    const std::size_t k = in == "mlp:fc1" ? 0 : 1;
    const double expect =
        expected_output(both[k]->weight_matrix(), eval[k], Calibration::from_inputs(cal[k]),
                        t.at("order").strings[i]);
    CHECK(t.at("output").numbers[i] == expect);
  }

  SECTION("model-level options are refused at layer level") {
    json with_ft = input;
    with_ft["finetune"] = {{"epochs", 1}};
    std::ofstream(cfg) << R"({"name": "layers", "inputs": [)" << with_ft.dump() << "]," << kSweep
                       << "}";
    const auto bad = run_cli({"run", cfg, "--output", dir.path("bad.h5"), "-q"});
    CHECK(bad.status != 0);
    CHECK_THAT(bad.err, Contains("inputs[0]") && Contains("finetune"));
  }
}
