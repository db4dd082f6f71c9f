#include "models/model_study.hpp"

#include <cmath>

#include "core/error.hpp"
#include "stats/bootstrap.hpp"

namespace interplay {

json ModelStudyOptions::to_json() const {
  json ft = finetune.to_json();
  ft["images"] = finetune_images;
  json j = {{"layers", layers.to_json()},
            {"activation_quantizer", activation_quantizer},
            {"finetune", ft},
            {"test_images", test_images},
            {"probe_images", probe_images}};
  // Only when configured: the canonical JSON (and so the point ids) of model
  // inputs without the key stay what they were before it existed.
  if (calibration.given) j["calibration"] = calibration.to_json();
  return j;
}

ModelStudyOptions ModelStudyOptions::from_json(const json& j, const std::string& where) {
  if (!j.is_object()) throw Error(at(where, "expected an object"));
  ModelStudyOptions o;
  auto count = [](const json& v, const std::string& path) {
    if (!v.is_number_integer() || v.get<long long>() < 0)
      throw Error(at(path, "expected a non-negative integer, got " + v.dump()));
    return v.get<std::size_t>();
  };
  for (auto& [k, v] : j.items()) {
    const std::string path = where + "." + k;
    if (k == "layers") {
      o.layers = LayerSelection::from_json(v, path);
    } else if (k == "activation_quantizer") {
      if (!v.is_null() && v != "same") Pipeline::from_json(json::array({v}), path);  // validates
      if (v.is_object() && v.contains("sparsifier"))
        throw Error(at(path, "expected a quantizer, got a sparsifier"));
      o.activation_quantizer = v;
    } else if (k == "finetune") {
      if (!v.is_object()) throw Error(at(path, "expected an object of training settings"));
      json settings = v;
      if (settings.contains("images")) {
        o.finetune_images = count(settings["images"], path + ".images");
        settings.erase("images");
      }
      o.finetune = TrainConfig::from_json(settings, path, o.finetune);
    } else if (k == "test_images") {
      o.test_images = count(v, path);
    } else if (k == "probe_images") {
      o.probe_images = count(v, path);
      if (o.probe_images == 0) throw Error(at(path, "must be positive"));
    } else if (k == "calibration") {
      o.calibration = ModelCalibrationOptions::from_json(v, path);
    } else {
      throw Error(at(where, "unknown key '" + k +
                                "' (valid: layers, activation_quantizer, finetune, test_images, "
                                "probe_images, calibration)"));
    }
  }
  return o;
}

std::shared_ptr<const Quantizer> last_quantizer(const Pipeline& pipeline) {
  std::shared_ptr<const Quantizer> q;
  for (const auto& s : pipeline.steps())
    if (s.kind == PipelineStep::Kind::Quantize) q = s.quantizer;
  return q;
}

namespace {

Dataset first_images(const Dataset& d, std::size_t n) {
  Dataset out;
  d.slice(0, n == 0 ? d.size() : std::min(n, d.size()), out.images, out.labels);
  return out;
}

std::string column_name(const std::string& path) {
  std::string s = path;
  for (char& c : s)
    if (c == '/') c = '.';
  return "layer_err." + s;
}

// Runs the probe batch with every matmul layer recording its output.
std::vector<Tensor> layer_outputs(Model& model, const Dataset& probe) {
  auto layers = model.matmul_layers();
  for (auto& l : layers) l.layer->record_output = true;
  Tensor logits;
  model.forward(probe.images, logits);
  std::vector<Tensor> out;
  for (auto& l : layers) {
    out.push_back(std::move(l.layer->recorded_output));
    l.layer->record_output = false;
  }
  return out;
}

double relative_l2(const Tensor& approx, const Tensor& ref) {
  double num = 0.0, den = 0.0;
  for (std::size_t i = 0; i < ref.size(); ++i) {
    const double d = double(approx.data[i]) - double(ref.data[i]);
    num += d * d;
    den += double(ref.data[i]) * double(ref.data[i]);
  }
  return den > 0.0 ? std::sqrt(num / den) : std::sqrt(num);
}

// Replicate means of accuracy and loss over the shared example multisets.
std::vector<std::vector<double>> example_replicates(const ExampleResults& r) {
  stats::BootstrapOptions o;
  o.resamples = kExampleReplicates;
  return stats::example_replicate_means({&r.correct, &r.loss}, o);
}

}  // namespace

const std::vector<std::string>& example_replicate_columns() {
  static const std::vector<std::string> c = {"test_accuracy", "test_loss", "accuracy_drop",
                                             "loss_increase"};
  return c;
}

ModelStudy::ModelStudy(const Model& dense, ModelStudyOptions options, Dataset test, Dataset train)
    : dense_model_(std::make_unique<Model>(dense)), options_(std::move(options)) {
  test_ = first_images(test, options_.test_images);
  probe_ = first_images(test, options_.probe_images);
  if (options_.finetune.epochs > 0) {
    if (train.size() == 0) throw Error("fine-tuning needs training images");
    train_ = first_images(train, options_.finetune_images);
  }
  if (train.size() > 0) {
    Dataset calib = first_images(train, options_.calibration.images);
    calib_source_ = [calib] { return calib; };
  }
  // The reference is the uncompressed model after the same protocol: with
  // fine-tuning, the dense model fine-tuned alike, so that the deltas (and
  // the M1 threshold built from them) measure compression, not fine-tuning.
  const std::unique_ptr<Model> reference = compress_and_tune(Pipeline(), nullptr);
  const ExampleResults examples = interplay::evaluate_examples(*reference, test_, dense_);
  dense_replicates_ = example_replicates(examples);
  dense_outputs_ = layer_outputs(*reference, probe_);
  columns_ = model_study_columns(*dense_model_);
}

std::vector<std::string> model_study_columns(Model& model) {
  std::vector<std::string> c = {"test_accuracy", "test_loss",     "accuracy_drop",
                                "loss_increase", "weight_rel_l2", "weight_sparsity"};
  for (auto& l : model.matmul_layers()) c.push_back(column_name(l.path));
  return c;
}

std::vector<std::string> ModelStudy::selected_layers() const {
  std::vector<std::string> out;
  for (auto& l : select_layers(*dense_model_, options_.layers)) out.push_back(l.path);
  return out;
}

std::shared_ptr<const Quantizer> ModelStudy::activation_quantizer(const Pipeline& pipeline) const {
  if (options_.activation_quantizer == "same") return last_quantizer(pipeline);
  if (options_.activation_quantizer.is_null()) return nullptr;
  return last_quantizer(
      Pipeline::from_json(json::array({options_.activation_quantizer}), "activation_quantizer"));
}

const Tensor& ModelStudy::calibration_images() const {
  std::call_once(calib_once_, [&] {
    if (!calib_source_)
      throw Error("calibrated pipelines need training images; this model study has none");
    calib_ = calib_source_();
  });
  return calib_.images;
}

std::unique_ptr<Model> ModelStudy::compress_and_tune(const Pipeline& pipeline,
                                                     std::shared_ptr<const Quantizer> act) const {
  auto model = std::make_unique<Model>(*dense_model_);
  if (pipeline.needs_calibration()) {
    // Re-running GPTQ / SparseGPT at every training step is not what the
    // fine-tuning protocol (fixed masks, re-applied quantizers) means.
    if (options_.finetune.epochs > 0)
      throw Error(pipeline.label() +
                  ": fine-tuning (finetune.epochs > 0) is not supported with calibrated "
                  "pipelines");
    compress_weights_calibrated(*model, pipeline, options_.layers, act, calibration_images(),
                                options_.calibration.sequential);
    return model;
  }
  if (options_.finetune.epochs == 0) {
    compress_weights(*model, pipeline, options_.layers, act);
    return model;
  }
  // Masks are fixed on the dense weights; forward sees the pipeline's
  // output, the gradient reaches the dense weights unchanged (straight
  // through) except at pruned positions, which stay at zero.
  const std::vector<NamedMatmul> selected = select_layers(*model, options_.layers);
  std::vector<FrozenPipeline> frozen;
  for (const auto& l : selected) {
    frozen.emplace_back(pipeline, l.layer->weight_matrix());
    l.layer->input_quantizer = act;
    const auto& keep = frozen.back().kept();
    for (std::size_t j = 0; j < keep.size(); ++j)
      if (!keep[j]) l.layer->weight().value.data[j] = 0.0f;
  }
  TrainHooks hooks;
  hooks.before_forward = [&] {
    for (std::size_t i = 0; i < selected.size(); ++i) {
      MatmulLayer& layer = *selected[i].layer;
      frozen[i].apply(layer.weight_matrix(), layer.weight_override);
    }
  };
  hooks.after_backward = [&] {
    for (std::size_t i = 0; i < selected.size(); ++i) {
      const auto& keep = frozen[i].kept();
      float* g = selected[i].layer->weight().grad.data.data();
      for (std::size_t j = 0; j < keep.size(); ++j) g[j] = keep[j] ? g[j] : 0.0f;
    }
  };
  train_model(*model, train_, options_.finetune, {}, hooks);
  return model;
}

ExampleResults ModelStudy::evaluate_examples(const Pipeline& pipeline) const {
  const std::unique_ptr<Model> model = compress_and_tune(pipeline, activation_quantizer(pipeline));
  return interplay::evaluate_examples(*model, test_);
}

std::vector<double> ModelStudy::evaluate(const Pipeline& pipeline) const {
  return evaluate_point(pipeline).values;
}

PointEvaluation ModelStudy::evaluate_point(const Pipeline& pipeline) const {
  const std::unique_ptr<Model> compressed =
      compress_and_tune(pipeline, activation_quantizer(pipeline));
  Model& model = *compressed;
  const std::vector<NamedMatmul> selected = select_layers(model, options_.layers);
  std::vector<Tensor> original;
  for (auto& l : select_layers(*dense_model_, options_.layers))
    original.push_back(l.layer->weight_matrix());

  // Effective weights against the dense ones.
  double diff2 = 0.0, ref2 = 0.0;
  std::size_t zeros = 0, total = 0;
  for (std::size_t i = 0; i < selected.size(); ++i) {
    const MatmulLayer& layer = *selected[i].layer;
    const std::vector<float>& w =
        layer.weight_override.data.empty() ? layer.weight().value.data : layer.weight_override.data;
    for (std::size_t j = 0; j < w.size(); ++j) {
      const double d = double(w[j]) - double(original[i].data[j]);
      diff2 += d * d;
      ref2 += double(original[i].data[j]) * double(original[i].data[j]);
      zeros += w[j] == 0.0f;
    }
    total += w.size();
  }

  EvalResult r;
  const ExampleResults examples = interplay::evaluate_examples(model, test_, r);
  PointEvaluation out;
  std::vector<double>& v = out.values;
  v = {r.accuracy,
       r.loss,
       dense_.accuracy - r.accuracy,
       r.loss - dense_.loss,
       ref2 > 0 ? std::sqrt(diff2 / ref2) : 0.0,
       total ? double(zeros) / double(total) : 0.0};
  const std::vector<Tensor> outputs = layer_outputs(model, probe_);
  for (std::size_t i = 0; i < outputs.size(); ++i)
    v.push_back(relative_l2(outputs[i], dense_outputs_[i]));

  // In the order of example_replicate_columns(); the drops are taken from
  // the replicate means exactly as the values are from the means.
  const auto reps = example_replicates(examples);
  const std::size_t B = kExampleReplicates;
  out.replicates.resize(4 * B);
  for (std::size_t b = 0; b < B; ++b) {
    out.replicates[b] = reps[0][b];
    out.replicates[B + b] = reps[1][b];
    out.replicates[2 * B + b] = dense_replicates_[0][b] - reps[0][b];
    out.replicates[3 * B + b] = reps[1][b] - dense_replicates_[1][b];
  }
  return out;
}

}  // namespace interplay
