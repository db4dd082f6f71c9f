#pragma once
// The `model` input kind of experiment configs: a trained built-in model as
// the thing a sweep compresses. Proposed for the runner of issue 3:
//
//   "inputs": [
//     {"name": "mlp", "model": "data/models/mlp.h5"},
//     {"name": "vit_ft", "model": "data/models/vit.h5",
//      "train": {"model": "vit", "seed": 0},          trains + saves the file when it is missing
//      "layers": {"include_first": false, "include_last": false, "only": [], "exclude": []},
//      "activation_quantizer": "same",                 or null, or a quantizer step
//      "finetune": {"epochs": 1, "lr": 1e-4, "images": 10000},
//      "test_images": 0, "probe_images": 256,
//      "test_bytes": 0, "attention_quantizer": null,   gpt only (test text, Q K^T and A v)
//      "calibration": {"images": 256, "sequential": true},  for calibrated pipelines
//      "seeds": [0, 1, 2, 3, 4]}                       one trained model per seed (below)
//   ]
//
// "seeds": the input stands for one model per training seed, each in its own
// file FILE.seed<k>.h5 next to FILE (trained with train.seed = k when missing
// and a train block is given); the sweep runs every pipeline on every seed, and
// tables aggregate the seeds of a cell (aggregate "mean_ci" for mean ± 95 %).
//
// Every point of such an input evaluates its pipeline with
// evaluate_model_point(); the point's columns are ModelStudy::columns().
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "models/model_study.hpp"

namespace interplay {

struct ModelInputSpec {
  std::string name;
  std::string weights;  // resolved path of the .h5 file
  // null, or {"model": KIND, "arch": {...}, "images": N, training settings...}
  json train;
  ModelStudyOptions options;
  std::vector<std::uint64_t> seeds;   // as given; empty: the one model in `weights`
  std::optional<std::uint64_t> seed;  // set on the per-seed specs of per_seed()

  // Canonical description (hashed into point ids): what determines results.
  json canonical() const;
};

// One spec per training seed (weights FILE.seed<k>.h5, train.seed = k), or
// the spec itself when it has no seeds. Errors (a missing file without a train
// block) name `where`.
std::vector<ModelInputSpec> per_seed(const ModelInputSpec& spec, const std::string& where);

// FILE.h5 -> FILE.seed<k>.h5
std::string seeded_weights_path(const std::string& weights, std::uint64_t seed);

// True when an input entry is of the model kind (it has a "model" key).
bool is_model_input(const json& entry);

// Validates an input entry; relative paths resolve against `base_dir`; errors
// name `where` (e.g. "inputs[2]"). Does not read the weights file.
ModelInputSpec parse_model_input(const json& entry, const std::string& where,
                                 const std::string& base_dir);

// The columns evaluate_model_point() will produce for this input, known
// without loading any data (from the file's architecture or the train block).
std::vector<std::string> model_input_columns(const ModelInputSpec& spec);
// The columns that carry test-set replicates (replicate_columns_of the kind).
const std::vector<std::string>& model_input_replicate_columns(const ModelInputSpec& spec);

// Shapes [out, fan_in] of the weight matrices the study compresses (for the
// bits-per-element column), known without training.
std::vector<Shape> model_input_weight_shapes(const ModelInputSpec& spec);
// "mlp", "cnn", "vit" or "gpt", from the file or the train block.
std::string model_input_kind(const ModelInputSpec& spec);
// The same with each layer's path.
std::vector<std::pair<std::string, Shape>> model_input_layers(const ModelInputSpec& spec);

// Trains and saves the model when its weights file is missing (the spec's
// train block; parse_model_input checked that it has one then).
void ensure_trained(const ModelInputSpec& spec,
                    const std::function<void(const std::string&)>& log = {});

// Loads the weights (training and saving them first when the file is missing
// and a train block is given) and the data the study needs: Fashion-MNIST,
// or for gpt the King James Bible split (data/README.md).
// `log` receives one-line progress messages (may be empty).
std::unique_ptr<ModelStudy> open_model_study(
    const ModelInputSpec& spec, const std::function<void(const std::string&)>& log = {});

// Throws an Error naming `where` when the input cannot run `pipeline` at all
// (a calibrated pipeline with fine-tuning), so a run fails before it starts.
void check_model_pipeline(const ModelInputSpec& spec, const Pipeline& pipeline,
                          const std::string& where);

// One point: the study's columns and test-set replicates, evaluated for
// `pipeline`. Thread-safe.
inline PointEvaluation evaluate_model_point(const ModelStudy& study, const Pipeline& pipeline) {
  return study.evaluate_point(pipeline);
}

}  // namespace interplay
