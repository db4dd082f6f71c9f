#include "models/model_study.hpp"

#include <cmath>

#include "core/error.hpp"
#include "models/lm_trainer.hpp"
#include "models/vit_parts.hpp"
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
  // Likewise for the gpt-only keys.
  if (!attention_quantizer.is_null()) j["attention_quantizer"] = attention_quantizer;
  if (test_bytes > 0) j["test_bytes"] = test_bytes;
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
    } else if (k == "activation_quantizer" || k == "attention_quantizer") {
      if (!v.is_null() && v != "same") Pipeline::from_json(json::array({v}), path);  // validates
      if (v.is_object() && v.contains("sparsifier"))
        throw Error(at(path, "expected a quantizer, got a sparsifier"));
      (k == "activation_quantizer" ? o.activation_quantizer : o.attention_quantizer) = v;
    } else if (k == "test_bytes") {
      o.test_bytes = count(v, path);
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
                                "' (valid: layers, activation_quantizer, attention_quantizer, "
                                "finetune, test_images, test_bytes, probe_images, calibration)"));
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

// The layers whose outputs the probe compares, in forward order: every
// matmul layer, and for gpt each decoder block after its own matmuls (its
// output is the residual stream).
struct ProbeLayer {
  std::string path;
  MatmulLayer* matmul = nullptr;
  EncoderBlock* block = nullptr;
  bool& recording() { return matmul ? matmul->record_output : block->record_output; }
  Tensor& recorded() { return matmul ? matmul->recorded_output : block->recorded_output; }
};

std::vector<ProbeLayer> probe_layers(Model& model) {
  std::vector<ProbeLayer> out;
  if (model.kind() != "gpt") {
    for (auto& l : model.matmul_layers()) out.push_back({l.path, l.layer, nullptr});
    return out;
  }
  std::vector<ProbeLayer> open;  // blocks whose children are still being listed
  auto close_until = [&](const std::string& path) {
    while (!open.empty() && path.rfind(open.back().path + "/", 0) != 0) {
      out.push_back(open.back());
      open.pop_back();
    }
  };
  for (auto& l : model.layers()) {
    close_until(l.path);
    if (auto* m = dynamic_cast<MatmulLayer*>(l.layer)) out.push_back({l.path, m, nullptr});
    if (auto* b = dynamic_cast<EncoderBlock*>(l.layer)) open.push_back({l.path, nullptr, b});
  }
  close_until("");
  return out;
}

// Runs the probe batch with every probe layer recording its output.
std::vector<Tensor> layer_outputs(Model& model, const Dataset& probe) {
  auto layers = probe_layers(model);
  for (auto& l : layers) l.recording() = true;
  Tensor logits;
  model.forward(probe.images, logits);
  std::vector<Tensor> out;
  for (auto& l : layers) {
    out.push_back(std::move(l.recorded()));
    l.recording() = false;
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

// Replicate means of accuracy and loss (gpt: loss only) over the shared
// example multisets.
std::vector<std::vector<double>> example_replicates(const ExampleResults& r) {
  stats::BootstrapOptions o;
  o.resamples = kExampleReplicates;
  if (r.correct.empty()) return stats::example_replicate_means({&r.loss}, o);
  return stats::example_replicate_means({&r.correct, &r.loss}, o);
}

std::shared_ptr<const Quantizer> quantizer_option(const json& option, const Pipeline& pipeline,
                                                  const char* name) {
  if (option == "same") return last_quantizer(pipeline);
  if (option.is_null()) return nullptr;
  return last_quantizer(Pipeline::from_json(json::array({option}), name));
}

}  // namespace

const std::vector<std::string>& example_replicate_columns() {
  static const std::vector<std::string> c = {"test_accuracy", "test_loss", "accuracy_drop",
                                             "loss_increase"};
  return c;
}

const std::vector<std::string>& lm_replicate_columns() {
  static const std::vector<std::string> c = {"test_loss", "test_perplexity", "test_bits_per_byte",
                                             "loss_increase", "perplexity_increase"};
  return c;
}

const std::vector<std::string>& replicate_columns_of(const std::string& model_kind) {
  return model_kind == "gpt" ? lm_replicate_columns() : example_replicate_columns();
}

void set_attention_quantizer(Model& model, std::shared_ptr<const Quantizer> q) {
  for (auto& l : model.layers())
    if (auto* a = dynamic_cast<MultiHeadAttention*>(l.layer)) a->matmul_quantizer = q;
}

ModelStudy::ModelStudy(const Model& dense, ModelStudyOptions options, LmTexts texts)
    : dense_model_(std::make_unique<Model>(dense)),
      options_(std::move(options)),
      lm_(true),
      texts_(std::move(texts)) {
  if (dense_model_->kind() != "gpt")
    throw Error("a language-model study needs a gpt model, not " + dense_model_->kind());
  if (options_.test_images > 0)
    throw Error(at("test_images", "a gpt study counts test bytes: use test_bytes"));
  if (options_.test_bytes > 0 && options_.test_bytes < texts_.test.size())
    texts_.test.resize(options_.test_bytes);
  if (texts_.test.size() < 2) throw Error("test_bytes: fewer than 2 test bytes to evaluate");
  if (options_.finetune.epochs > 0 && options_.finetune_images > 0 &&
      options_.finetune_images < texts_.train.size())
    texts_.train.resize(options_.finetune_images);
  const std::size_t T = dense_model_->input_shape().at(0);
  probe_.images = lm_chunk_inputs(texts_.test, T, options_.probe_images);
  if (probe_.images.shape[0] == 0)
    throw Error("test_bytes: the test text is shorter than one chunk of context " +
                std::to_string(T) + " (the probe batch)");
  const std::string train = texts_.train;
  const std::size_t windows = options_.calibration.images;
  calib_source_ = [train, T, windows] {
    Dataset d;
    d.images = lm_chunk_inputs(train, T, windows);
    if (d.images.shape[0] == 0)
      throw Error("calibration: the training text has no window of context " + std::to_string(T) +
                  " to capture layer inputs on");
    d.labels.assign(d.images.shape[0], 0);  // unused: calibration reads images only
    return d;
  };
  finish_setup();
}

ModelStudy::ModelStudy(const Model& dense, ModelStudyOptions options, Dataset test, Dataset train)
    : dense_model_(std::make_unique<Model>(dense)), options_(std::move(options)) {
  if (dense_model_->kind() == "gpt")
    throw Error("a gpt model needs the language-model study (LmTexts), not images");
  if (!options_.attention_quantizer.is_null())
    throw Error(at("attention_quantizer", "only gpt models have this option"));
  if (options_.test_bytes > 0) throw Error(at("test_bytes", "only gpt models have this option"));
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
  finish_setup();
}

void ModelStudy::finish_setup() {
  // The reference is the uncompressed model after the same protocol: with
  // fine-tuning, the dense model fine-tuned alike, so that the deltas (and
  // the M1 threshold built from them) measure compression, not fine-tuning.
  const std::unique_ptr<Model> reference = compress_and_tune(Pipeline(), nullptr, nullptr);
  const ExampleResults examples = examples_of(*reference, dense_);
  dense_replicates_ = example_replicates(examples);
  dense_outputs_ = layer_outputs(*reference, probe_);
  columns_ = model_study_columns(*dense_model_);
}

ExampleResults ModelStudy::examples_of(Model& model, EvalResult& summary) const {
  if (!lm_) return interplay::evaluate_examples(model, test_, summary);
  ExampleResults r;
  r.loss = lm_chunk_losses(model, texts_.test);
  const double bytes = double(texts_.test.size() - 1);
  double total = 0.0;
  for (double c : r.loss) total += c;
  // Each chunk's loss over the mean chunk length: the mean over chunks is then
  // the per-byte loss, exactly evaluate_lm's.
  const double scale = double(r.loss.size()) / bytes;
  for (double& c : r.loss) c *= scale;
  summary = EvalResult{};
  summary.count = r.loss.size();
  summary.loss = total / bytes;
  return r;
}

std::vector<std::string> model_study_columns(Model& model) {
  std::vector<std::string> c;
  if (model.kind() == "gpt")
    c = {"test_loss",           "test_perplexity", "test_bits_per_byte", "loss_increase",
         "perplexity_increase", "weight_rel_l2",   "weight_sparsity"};
  else
    c = {"test_accuracy", "test_loss",     "accuracy_drop",
         "loss_increase", "weight_rel_l2", "weight_sparsity"};
  for (auto& l : probe_layers(model)) c.push_back(column_name(l.path));
  return c;
}

std::vector<std::string> ModelStudy::selected_layers() const {
  std::vector<std::string> out;
  for (auto& l : select_layers(*dense_model_, options_.layers)) out.push_back(l.path);
  return out;
}

std::shared_ptr<const Quantizer> ModelStudy::activation_quantizer(const Pipeline& pipeline) const {
  return quantizer_option(options_.activation_quantizer, pipeline, "activation_quantizer");
}

std::shared_ptr<const Quantizer> ModelStudy::attention_quantizer(const Pipeline& pipeline) const {
  return quantizer_option(options_.attention_quantizer, pipeline, "attention_quantizer");
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
                                                     std::shared_ptr<const Quantizer> act,
                                                     std::shared_ptr<const Quantizer> attn) const {
  auto model = std::make_unique<Model>(*dense_model_);
  if (attn) set_attention_quantizer(*model, attn);
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
  if (lm_)
    train_lm(*model, texts_.train, options_.finetune, {}, hooks);
  else
    train_model(*model, train_, options_.finetune, {}, hooks);
  return model;
}

ExampleResults ModelStudy::evaluate_examples(const Pipeline& pipeline) const {
  const std::unique_ptr<Model> model =
      compress_and_tune(pipeline, activation_quantizer(pipeline), attention_quantizer(pipeline));
  EvalResult summary;
  return examples_of(*model, summary);
}

std::vector<double> ModelStudy::evaluate(const Pipeline& pipeline) const {
  return evaluate_point(pipeline).values;
}

PointEvaluation ModelStudy::evaluate_point(const Pipeline& pipeline) const {
  const std::unique_ptr<Model> compressed =
      compress_and_tune(pipeline, activation_quantizer(pipeline), attention_quantizer(pipeline));
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
  const ExampleResults examples = examples_of(model, r);
  PointEvaluation out;
  out.replicate_columns = replicate_columns();
  std::vector<double>& v = out.values;
  const double weight_err = ref2 > 0 ? std::sqrt(diff2 / ref2) : 0.0;
  const double sparsity = total ? double(zeros) / double(total) : 0.0;
  if (lm_)
    v = {r.loss,
         std::exp(r.loss),
         r.loss / std::log(2.0),
         r.loss - dense_.loss,
         std::exp(r.loss) - std::exp(dense_.loss),
         weight_err,
         sparsity};
  else
    v = {r.accuracy,           r.loss,     dense_.accuracy - r.accuracy,
         r.loss - dense_.loss, weight_err, sparsity};
  const std::vector<Tensor> outputs = layer_outputs(model, probe_);
  for (std::size_t i = 0; i < outputs.size(); ++i)
    v.push_back(relative_l2(outputs[i], dense_outputs_[i]));

  // In the order of example_replicate_columns(); the drops are taken from
  // the replicate means exactly as the values are from the means.
  const auto reps = example_replicates(examples);
  const std::size_t B = kExampleReplicates;
  if (lm_) {  // in the order of lm_replicate_columns()
    out.replicates.resize(5 * B);
    for (std::size_t b = 0; b < B; ++b) {
      const double loss = reps[0][b], ref = dense_replicates_[0][b];
      out.replicates[b] = loss;
      out.replicates[B + b] = std::exp(loss);
      out.replicates[2 * B + b] = loss / std::log(2.0);
      out.replicates[3 * B + b] = loss - ref;
      out.replicates[4 * B + b] = std::exp(loss) - std::exp(ref);
    }
    return out;
  }
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
