#pragma once
// The pipelines an experiment sweeps, and their expansion into points.
//
//   "sweep": {
//     "sparsity": [...],           sparsifier entries (see step_grid.hpp)
//     "formats":  [...],           quantizer entries
//     "orders":   ["S", "Q", "S->Q", "Q->S"],   default: every one that applies
//     "pairing":  "product",       or "zip": the i-th sparsity with the i-th format
//     "pipelines": [{"label": "...", "steps": [...]}],   extra fixed pipelines
//     "exclude":  [{"format": "int4", "order": ["Q->S"]}, ...]
//   }
//
// "S" is sparsity alone, "Q" quantization alone (the baselines of the
// orthogonality gap), "S->Q" is q(s(x)) and "Q->S" is s(q(x)). Points are
// inputs x activations x pipelines, in config order; the list is frozen
// before anything runs and every point gets a stable id (hash of its input,
// activation, resolved pipeline and metrics).
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/pipeline.hpp"
#include "experiment/step_grid.hpp"

namespace interplay::experiment {

struct ExperimentConfig;

struct CustomPipeline {
  std::string label;
  json steps;
  std::string path;
};

struct SweepSpec {
  std::vector<StepChoice> sparsity, formats;
  std::vector<std::string> orders;  // canonical order: S, Q, S->Q, Q->S
  bool zip_pairs = false;
  std::vector<CustomPipeline> pipelines;
  json exclude = json::array();
};

SweepSpec parse_sweep(const json& sweep, const std::string& path);

struct Point {
  std::size_t index = 0;
  std::string id;  // 16 hex digits
  std::size_t input = 0;
  std::optional<std::size_t> activation;
  std::string sparsity, format, order;  // "" when the pipeline has none
  json swept = json::object();          // {"format.bits": 4, ...}
  std::shared_ptr<const Pipeline> pipeline;
  // Of the pipeline's last quantizer on this input's tensor (a model input:
  // over its selected weight matrices), every scale included; NaN without one.
  double bits_per_element = 0.0;
};

// Expands and filters; errors (an exclude entry that matches nothing, two
// identical points) name the JSON path.
std::vector<Point> expand_points(const ExperimentConfig& cfg);

// The point's "activation" column: the config activation's name, "captured"
// (a model layer's own inputs), "input's own" (the input's "activations"
// file) or "" (none).
std::string activation_label(const Point& p, const ExperimentConfig& cfg);

// "fnv1a64 + mix" of a canonical JSON text, as 16 hex digits.
std::string stable_id(const json& canonical);

}  // namespace interplay::experiment
