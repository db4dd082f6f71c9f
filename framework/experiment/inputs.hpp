#pragma once
// The tensors an experiment compresses ("inputs") and the activations the
// layer-level metrics multiply them with. Both come from seeded synthetic
// generators or from files (.npy, or HDF5 datasets, optionally a glob).
//
// Parsing validates everything that can be checked without reading tensor
// data: keys, types, ranges, that files exist and datasets exist with a float
// type, and that activation widths match the inputs' last dimension.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/params.hpp"
#include "core/tensor.hpp"
#include "experiment/generators.hpp"

namespace interplay {
struct ModelInputSpec;  // models/model_input.hpp
}

namespace interplay::experiment {

struct ModelLayerRef;  // experiment/model_layers.hpp

// A tensor named in a config by file and dataset (.npy: no dataset).
struct TensorRef {
  std::string file, dataset;  // resolved path; HDF5 / safetensors dataset
  Shape shape;
  std::string source;  // "FILE[:DATASET]", for errors
};

// One concrete tensor: a synthetic draw with one seed, or one file dataset.
struct InputInstance {
  std::string name;                  // as in the config; "NAME:/dataset" for globbed files
  std::optional<std::int64_t> seed;  // synthetic only
  json spec;                         // canonical description (hashed into point ids)
  Shape shape;
  // synthetic
  std::string distribution;
  Params params;
  std::optional<Outliers> outliers;
  // file
  std::string file;     // resolved path
  std::string dataset;  // HDF5 dataset path; empty for .npy
  // model: a trained built-in model whose layers each pipeline compresses
  // ({"name", "model": FILE.h5, ...}, models/model_input.hpp); its points
  // produce the model study's columns instead of the tensor metrics.
  std::shared_ptr<const ModelInputSpec> model;
  // layer level: one layer of a built-in model ({"model": ..., "layer_inputs": ...}):
  // the weight matrix, its inputs on test images (the point's X) and on
  // training images (calibration), captured by experiment/model_layers.
  std::shared_ptr<const ModelLayerRef> model_layer;

  // The input's own data for the output metrics and calibrated pipelines
  // (tensor inputs): "activations" is the held-out X its points are scored
  // on (instead of the config's activations), "calibration" the X or
  // "hessian" the H that calibrated pipelines are fitted on.
  std::optional<TensorRef> own_activations, calibration_x, calibration_h;
  bool has_own_activations() const { return own_activations || model_layer; }
  bool has_own_calibration() const { return calibration_x || calibration_h || model_layer; }
};

struct ActivationSpec {
  std::string name;
  json spec;  // canonical description (hashed into point ids)
  // generated: [rows, input features]
  std::string distribution;  // an i.i.d. distribution or "correlated"
  Params params;
  Spectrum spectrum;
  std::size_t rows = 0;
  // Rows of the held-out draw that calibrated pipelines are fitted on
  // (generated activations only; 0 = rows).
  std::size_t calibration_rows = 0;
  std::uint64_t seed = 0;
  // file
  std::string file, dataset;
  Shape file_shape;
};

// `base_dir` resolves relative file names (the config file's directory).
std::vector<InputInstance> parse_inputs(const json& inputs, const std::string& path,
                                        const std::string& base_dir);
std::vector<ActivationSpec> parse_activations(const json& acts, const std::string& path,
                                              const std::string& base_dir,
                                              const std::vector<InputInstance>& inputs);

Tensor load_input(const InputInstance& in);
Tensor load_tensor(const TensorRef& ref);
// Activations for an input with `features` columns.
Tensor load_activations(const ActivationSpec& a, std::size_t features);

}  // namespace interplay::experiment
