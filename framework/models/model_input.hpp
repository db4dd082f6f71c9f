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
//      "test_images": 0, "probe_images": 256}
//   ]
//
// Every point of such an input evaluates its pipeline with
// evaluate_model_point(); the point's columns are ModelStudy::columns().
#include <functional>
#include <memory>
#include <string>

#include "models/model_study.hpp"

namespace interplay {

struct ModelInputSpec {
  std::string name;
  std::string weights;  // resolved path of the .h5 file
  // null, or {"model": KIND, "arch": {...}, "images": N, training settings...}
  json train;
  ModelStudyOptions options;

  // Canonical description (hashed into point ids): what determines results.
  json canonical() const;
};

// True when an input entry is of the model kind (it has a "model" key).
bool is_model_input(const json& entry);

// Validates an input entry; relative paths resolve against `base_dir`; errors
// name `where` (e.g. "inputs[2]"). Does not read the weights file.
ModelInputSpec parse_model_input(const json& entry, const std::string& where,
                                 const std::string& base_dir);

// The columns evaluate_model_point() will produce for this input, known
// without loading any data (from the file's architecture or the train block).
std::vector<std::string> model_input_columns(const ModelInputSpec& spec);

// Loads the weights (training and saving them first when the file is missing
// and a train block is given) and the Fashion-MNIST data the study needs.
// `log` receives one-line progress messages (may be empty).
std::unique_ptr<ModelStudy> open_model_study(
    const ModelInputSpec& spec, const std::function<void(const std::string&)>& log = {});

// One point: the study's columns, evaluated for `pipeline`. Thread-safe.
inline std::vector<double> evaluate_model_point(const ModelStudy& study, const Pipeline& pipeline) {
  return study.evaluate(pipeline);
}

}  // namespace interplay
