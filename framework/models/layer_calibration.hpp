#pragma once
// Calibration-aware compression of a built-in model: each selected layer's
// pipeline is fitted on that layer's inputs X (its GEMM operand rows: im2col
// patches for a conv, token rows for attention projections and transformer
// linears) captured on a batch of training images.
//
// Sequential (the default, as IST-DASLab gptq / sparsegpt run block by block):
// the layers are compressed in forward order and the X of layer k is captured
// through layers 0..k-1 as already compressed, so a layer compensates the
// error its inputs carry. Each layer is one step (the references'
// --true-sequential at the finest grain; without it they capture all layers
// of a transformer block at once). Non-sequential: every X is captured once
// from the dense model. Either way the first compressed layer sees the same X.
#include <memory>
#include <string>
#include <vector>

#include "core/params.hpp"
#include "models/compression.hpp"

namespace interplay {

// The `calibration` key of a model input.
struct ModelCalibrationOptions {
  std::size_t images = 256;  // the first N training images
  bool sequential = true;
  // The config named the key: only then is it part of the input's canonical
  // JSON (so the point ids of configs without it are unchanged).
  bool given = false;

  json to_json() const { return {{"images", images}, {"sequential", sequential}}; }
  // {"images": N > 0, "sequential": bool}; errors name `where`.<key>.
  static ModelCalibrationOptions from_json(const json& j, const std::string& where);
};

// X [rows, fan_in] of each layer, in the order given, from one pass of
// `images` through `model` as it stands (in batches of `batch` images; rows
// follow image order).
std::vector<Tensor> capture_layer_inputs(Model& model, const std::vector<MatmulLayer*>& layers,
                                         const Tensor& images, std::size_t batch = 256);

// compress_weights() for pipelines that need calibration: every selected
// layer's pipeline gets Calibration::from_inputs(X) of that layer. With
// `sequential`, a layer's input quantizer is set before its X is captured
// (X is what the layer will multiply); non-sequential X come from the dense
// model without input quantization.
void compress_weights_calibrated(Model& model, const Pipeline& pipeline,
                                 const LayerSelection& selection,
                                 std::shared_ptr<const Quantizer> input_quantizer,
                                 const Tensor& images, bool sequential);

}  // namespace interplay
