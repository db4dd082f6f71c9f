#pragma once
// Real layers at layer level: a model input with "layer_inputs" stands for
// each selected layer of each trained model (one per seed) as a tensor input.
//
//   {"name": "mlp", "model": "../data/models/mlp.h5", "seeds": [0, 1],
//    "train": {...}, "layers": {...},        as for model inputs
//    "calibration": {"images": 2048},         training images: the calibration X
//    "layer_inputs": {"test_images": 512}}    test images: the held-out X
//
// Layer `fc2` of that model is the input "mlp:fc2" (the seed in the seed
// column): its tensor is the weight matrix [out, fan_in] (a conv's
// [out, in·k·k]); its points are scored on the layer's inputs captured on the
// first test images (GEMM operand rows: im2col patches of a conv, token rows
// of a transformer linear) and its calibrated pipelines are fitted on its
// inputs captured on the first training images, both through the dense model.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "experiment/inputs.hpp"
#include "models/model_input.hpp"

namespace interplay::experiment {

struct ModelLayerRef {
  std::shared_ptr<const ModelInputSpec> model;  // one seed
  std::string layer;                            // its path, e.g. "fc2"
  std::size_t test_images = 0;
};

bool is_model_layer_input(const json& entry);

// One instance per (seed, selected layer); errors name `where`.<key>.
std::vector<InputInstance> parse_model_layer_inputs(const json& entry, const std::string& where,
                                                    const std::string& base_dir);

struct CapturedLayer {
  Tensor weight;   // [out, fan_in]
  Tensor eval_x;   // [rows, fan_in], test images
  Tensor calib_x;  // [rows, fan_in], training images
};

// The layers `refs` of one trained model (all refs share one model spec),
// captured in one pass over the test and one over the training images. The
// model is trained and saved first when its file is missing.
std::vector<CapturedLayer> capture_model_layers(const std::vector<const ModelLayerRef*>& refs,
                                                const std::function<void(const std::string&)>& log);

}  // namespace interplay::experiment
