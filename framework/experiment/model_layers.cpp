#include "experiment/model_layers.hpp"

#include <algorithm>

#include "core/error.hpp"
#include "experiment/json_path.hpp"
#include "models/dataset.hpp"
#include "models/layer_calibration.hpp"
#include "models/weights_file.hpp"

namespace interplay::experiment {

bool is_model_layer_input(const json& entry) {
  return is_model_input(entry) && entry.contains("layer_inputs");
}

std::vector<InputInstance> parse_model_layer_inputs(const json& entry, const std::string& where,
                                                    const std::string& base_dir) {
  // Options that act on a whole model (input quantization, fine-tuning, the
  // test-set evaluation) have no meaning for a single layer.
  check_object(entry, where,
               {"name", "model", "train", "seeds", "layers", "calibration", "layer_inputs"});
  const std::string lp = child_path(where, "layer_inputs");
  const json& li = entry.at("layer_inputs");
  if (!li.is_object()) throw Error(at(lp, "expected {\"test_images\": N}"));
  check_object(li, lp, {"test_images"});
  const std::size_t test_images =
      std::size_t(as_int(required(li, lp, "test_images"), child_path(lp, "test_images"), 1, 10000));

  json model_entry = entry;
  model_entry.erase("layer_inputs");
  std::vector<InputInstance> out;
  for (ModelInputSpec& one : per_seed(parse_model_input(model_entry, where, base_dir), where)) {
    auto spec = std::make_shared<const ModelInputSpec>(std::move(one));
    // Layer inputs are captured on Fashion-MNIST images.
    if (model_input_kind(*spec) == "gpt")
      throw Error(at(lp, "layer_inputs is for the image models (mlp, cnn, vit), not gpt"));
    for (const auto& [path, shape] : model_input_layers(*spec)) {
      InputInstance in;
      in.name = spec->name + ":" + path;
      if (spec->seed) in.seed = std::int64_t(*spec->seed);
      in.shape = shape;
      in.spec = {{"model_layer",
                  {{"model", spec->weights},
                   {"train", spec->train},
                   {"layer", path},
                   {"test_images", test_images},
                   {"calibration_images", spec->options.calibration.images}}}};
      in.model_layer =
          std::make_shared<const ModelLayerRef>(ModelLayerRef{spec, path, test_images});
      out.push_back(std::move(in));
    }
  }
  return out;
}

std::vector<CapturedLayer> capture_model_layers(
    const std::vector<const ModelLayerRef*>& refs,
    const std::function<void(const std::string&)>& log) {
  if (refs.empty()) return {};
  const ModelInputSpec& spec = *refs.front()->model;
  ensure_trained(spec, log);
  LoadedModel loaded = load_model(spec.weights);
  Model& model = *loaded.model;
  std::vector<MatmulLayer*> layers;
  const auto all = model.matmul_layers();
  for (const ModelLayerRef* r : refs) {
    const auto it = std::find_if(all.begin(), all.end(),
                                 [&](const NamedMatmul& m) { return m.path == r->layer; });
    if (it == all.end())
      throw Error(spec.weights + ": no layer '" + r->layer + "' (the file changed since parsing?)");
    layers.push_back(it->layer);
  }
  std::size_t test_images = 0;
  for (const ModelLayerRef* r : refs) test_images = std::max(test_images, r->test_images);
  if (log)
    log("capturing the inputs of " + std::to_string(layers.size()) + " layers of " + spec.weights +
        " on " + std::to_string(test_images) + " test and " +
        std::to_string(spec.options.calibration.images) + " training images");
  const std::vector<Tensor> eval =
      capture_layer_inputs(model, layers, load_fashion_mnist("test", test_images).images);
  std::vector<Tensor> calib = capture_layer_inputs(
      model, layers, load_fashion_mnist("train", spec.options.calibration.images).images);
  std::vector<CapturedLayer> out;
  for (std::size_t i = 0; i < refs.size(); ++i) {
    CapturedLayer c;
    c.weight = layers[i]->weight_matrix();
    // Rows follow image order: a ref asking for fewer test images gets the
    // rows of its first images.
    const std::size_t keep = eval[i].shape[0] / test_images * refs[i]->test_images;
    const std::size_t fan_in = eval[i].shape[1];
    c.eval_x = Tensor({keep, fan_in});
    std::copy_n(eval[i].data.begin(), keep * fan_in, c.eval_x.data.begin());
    c.calib_x = std::move(calib[i]);
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace interplay::experiment
