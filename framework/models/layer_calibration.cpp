#include "models/layer_calibration.hpp"

#include <algorithm>

#include "core/calibration.hpp"
#include "core/error.hpp"

namespace interplay {

ModelCalibrationOptions ModelCalibrationOptions::from_json(const json& j,
                                                           const std::string& where) {
  if (!j.is_object())
    throw Error(at(where, "expected {\"images\": N, \"sequential\": true | false}"));
  ModelCalibrationOptions o;
  o.given = true;
  for (auto& [k, v] : j.items()) {
    const std::string path = where + "." + k;
    if (k == "images") {
      if (!v.is_number_integer() || v.get<long long>() <= 0)
        throw Error(at(path, "expected a positive number of training images, got " + v.dump()));
      o.images = v.get<std::size_t>();
    } else if (k == "sequential") {
      if (!v.is_boolean()) throw Error(at(path, "expected true or false, got " + v.dump()));
      o.sequential = v.get<bool>();
    } else {
      throw Error(at(where, "unknown key '" + k + "' (valid: images, sequential)"));
    }
  }
  return o;
}

std::vector<Tensor> capture_layer_inputs(Model& model, const std::vector<MatmulLayer*>& layers,
                                         const Tensor& images, std::size_t batch) {
  std::vector<Tensor> xs(layers.size());
  const std::size_t n = images.shape.at(0), per_image = images.size() / std::max<std::size_t>(n, 1);
  for (MatmulLayer* l : layers) l->record_input = true;
  Tensor chunk, logits;
  for (std::size_t b0 = 0; b0 < n; b0 += batch) {
    const std::size_t b = std::min(batch, n - b0);
    chunk.shape = images.shape;
    chunk.shape[0] = b;
    chunk.data.assign(images.data.begin() + std::ptrdiff_t(b0 * per_image),
                      images.data.begin() + std::ptrdiff_t((b0 + b) * per_image));
    model.forward(chunk, logits);
    for (std::size_t i = 0; i < layers.size(); ++i) {
      const Tensor& rows = layers[i]->recorded_input;
      Tensor& x = xs[i];
      if (x.shape.empty()) x.shape = {0, rows.shape.at(1)};
      x.shape[0] += rows.shape.at(0);
      x.data.insert(x.data.end(), rows.data.begin(), rows.data.end());
    }
  }
  for (MatmulLayer* l : layers) {
    l->record_input = false;
    l->recorded_input = Tensor();
  }
  return xs;
}

void compress_weights_calibrated(Model& model, const Pipeline& pipeline,
                                 const LayerSelection& selection,
                                 std::shared_ptr<const Quantizer> input_quantizer,
                                 const Tensor& images, bool sequential) {
  const std::vector<NamedMatmul> selected = select_layers(model, selection);
  std::vector<MatmulLayer*> layers;
  for (const auto& l : selected) layers.push_back(l.layer);
  std::vector<Tensor> dense_inputs;
  if (!sequential) dense_inputs = capture_layer_inputs(model, layers, images);
  for (std::size_t i = 0; i < selected.size(); ++i) {
    MatmulLayer& layer = *layers[i];
    layer.input_quantizer = input_quantizer;
    Tensor x = sequential ? std::move(capture_layer_inputs(model, {&layer}, images)[0])
                          : std::move(dense_inputs[i]);
    const Calibration calibration = Calibration::from_inputs(
        std::move(x), "calibration inputs of layer '" + selected[i].path + "'");
    Tensor w = pipeline.apply(layer.weight_matrix(), &calibration);
    layer.weight().value.data = std::move(w.data);
  }
}

}  // namespace interplay
