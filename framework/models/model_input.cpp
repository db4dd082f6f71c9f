#include "models/model_input.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "core/error.hpp"
#include "core/suggest.hpp"
#include "models/bible_corpus.hpp"
#include "models/gpt_training.hpp"
#include "models/weights_file.hpp"

namespace interplay {

namespace {

const std::vector<std::string> kKeys = {"name",
                                        "model",
                                        "train",
                                        "layers",
                                        "activation_quantizer",
                                        "attention_quantizer",
                                        "finetune",
                                        "test_images",
                                        "test_bytes",
                                        "probe_images",
                                        "seeds",
                                        "calibration"};

std::string resolve(const std::string& file, const std::string& base_dir) {
  if (file.empty() || file[0] == '/' || base_dir.empty()) return file;
  return (std::filesystem::path(base_dir) / file).lexically_normal().string();
}

struct TrainBlock {
  json arch;
  TrainConfig config;
  std::size_t images = 0;  // first N training images (0 = all)
};

// Options that only one kind of model has are errors naming `where`.<key>.
void check_options_for_kind(const ModelStudyOptions& o, const std::string& kind,
                            const std::string& where) {
  if (kind == "gpt") {
    if (o.test_images > 0)
      throw Error(at(where + ".test_images", "a gpt input counts test bytes: use test_bytes"));
  } else {
    if (!o.attention_quantizer.is_null())
      throw Error(at(where + ".attention_quantizer", "only gpt inputs have attention products"));
    if (o.test_bytes > 0)
      throw Error(at(where + ".test_bytes", "only gpt inputs have a test text (use test_images)"));
  }
}

TrainBlock parse_train_block(const json& t, const std::string& where) {
  if (!t.is_object() || !t.contains("model"))
    throw Error(
        at(where,
           "expected {\"model\": \"mlp\" | \"cnn\" | \"vit\" | \"gpt\", ...training settings}"));
  TrainBlock b;
  json settings = t;
  b.arch = t.contains("arch") ? t.at("arch") : json::object();
  if (!b.arch.is_object()) throw Error(at(where + ".arch", "expected an object"));
  b.arch["model"] = t.at("model");
  settings.erase("model");
  settings.erase("arch");
  if (settings.contains("images")) {
    const json& n = settings["images"];
    if (!n.is_number_integer() || n.get<long long>() < 0)
      throw Error(at(where + ".images", "expected a non-negative integer, got " + n.dump()));
    b.images = n.get<std::size_t>();
    settings.erase("images");
  }
  Model check(b.arch, where + ".arch");  // validates the architecture
  b.config = TrainConfig::from_json(settings, where,
                                    default_train_config(b.arch["model"].get<std::string>()));
  return b;
}

}  // namespace

bool is_model_input(const json& entry) {
  return entry.is_object() && entry.contains("model");
}

std::string seeded_weights_path(const std::string& weights, std::uint64_t seed) {
  const std::filesystem::path p(weights);
  const std::string ext = p.extension().string();
  return (p.parent_path() /
          (p.stem().string() + ".seed" + std::to_string(seed) + (ext.empty() ? ".h5" : ext)))
      .string();
}

std::vector<ModelInputSpec> per_seed(const ModelInputSpec& spec, const std::string& where) {
  if (spec.seeds.empty()) return {spec};
  std::vector<ModelInputSpec> out;
  for (std::uint64_t seed : spec.seeds) {
    ModelInputSpec s = spec;
    s.seeds.clear();
    s.seed = seed;
    s.weights = seeded_weights_path(spec.weights, seed);
    if (s.train.is_object()) s.train["seed"] = seed;
    if (s.train.is_null() && !std::filesystem::exists(s.weights))
      throw Error(at(where + ".seeds", s.weights + ": weights file not found for seed " +
                                           std::to_string(seed) +
                                           " (add a \"train\" block to train it)"));
    out.push_back(std::move(s));
  }
  return out;
}

json ModelInputSpec::canonical() const {
  return {{"model", weights}, {"train", train}, {"options", options.to_json()}};
}

ModelInputSpec parse_model_input(const json& entry, const std::string& where,
                                 const std::string& base_dir) {
  if (!is_model_input(entry)) throw Error(at(where, "expected a model input {\"model\": FILE.h5}"));
  json study = json::object();
  ModelInputSpec s;
  for (auto& [k, v] : entry.items()) {
    const std::string path = where + "." + k;
    if (k == "name") {
      if (!v.is_string() || v.get<std::string>().empty())
        throw Error(at(path, "expected a non-empty string"));
      s.name = v.get<std::string>();
    } else if (k == "model") {
      if (!v.is_string() || v.get<std::string>().empty())
        throw Error(at(path, "expected the path of a weights file (.h5)"));
      s.weights = resolve(v.get<std::string>(), base_dir);
    } else if (k == "train") {
      parse_train_block(v, path);
      s.train = v;
    } else if (k == "seeds") {
      if (!v.is_array() || v.empty())
        throw Error(at(path, "expected a non-empty list of training seeds, e.g. [0, 1, 2, 3, 4]"));
      for (std::size_t i = 0; i < v.size(); ++i) {
        const std::string ip = path + "[" + std::to_string(i) + "]";
        if (!v[i].is_number_integer() || v[i].get<long long>() < 0)
          throw Error(at(ip, "expected a non-negative integer, got " + v[i].dump()));
        const std::uint64_t seed = v[i].get<std::uint64_t>();
        if (std::find(s.seeds.begin(), s.seeds.end(), seed) != s.seeds.end())
          throw Error(at(ip, "seed " + std::to_string(seed) + " is listed twice"));
        s.seeds.push_back(seed);
      }
    } else if (std::find(kKeys.begin(), kKeys.end(), k) != kKeys.end()) {
      study[k] = v;
    } else {
      throw Error(at(where, unknown_name_message("key", k, kKeys)));
    }
  }
  if (s.name.empty()) throw Error(at(where, "a model input needs a \"name\""));
  s.options = ModelStudyOptions::from_json(study, where);
  if (s.train.is_object()) check_options_for_kind(s.options, s.train.at("model"), where);
  if (!s.seeds.empty() && s.train.is_object() && s.train.contains("seed"))
    throw Error(at(where + ".train.seed", "give train.seed or seeds, not both"));
  if (!s.seeds.empty()) {
    per_seed(s, where);  // checks the per-seed files
    return s;
  }
  if (s.train.is_null() && !std::filesystem::exists(s.weights))
    throw Error(at(where + ".model", s.weights +
                                         ": weights file not found (train it with `interplay "
                                         "train`, or add a \"train\" block)"));
  return s;
}

namespace {

// The architecture from the weights file, or from the train block when the
// file does not exist yet; options that do not fit the model kind are errors
// naming the input's key.
std::unique_ptr<Model> input_architecture(const ModelInputSpec& spec) {
  std::unique_ptr<Model> model =
      std::filesystem::exists(spec.weights)
          ? std::move(load_model(spec.weights).model)
          : std::make_unique<Model>(parse_train_block(spec.train, spec.name + ".train").arch);
  check_options_for_kind(spec.options, model->kind(), "input '" + spec.name + "'");
  return model;
}

}  // namespace

std::string model_input_kind(const ModelInputSpec& spec) {
  return input_architecture(spec)->kind();
}

std::vector<std::string> model_input_columns(const ModelInputSpec& spec) {
  return model_study_columns(*input_architecture(spec));
}

const std::vector<std::string>& model_input_replicate_columns(const ModelInputSpec& spec) {
  return replicate_columns_of(input_architecture(spec)->kind());
}

std::vector<std::pair<std::string, Shape>> model_input_layers(const ModelInputSpec& spec) {
  std::unique_ptr<Model> model = input_architecture(spec);
  std::vector<std::pair<std::string, Shape>> out;
  for (const auto& l : select_layers(*model, spec.options.layers))
    out.push_back({l.path, {l.layer->out_features(), l.layer->fan_in()}});
  return out;
}

std::vector<Shape> model_input_weight_shapes(const ModelInputSpec& spec) {
  std::vector<Shape> out;
  for (const auto& l : model_input_layers(spec)) out.push_back(l.second);
  return out;
}

void check_model_pipeline(const ModelInputSpec& spec, const Pipeline& pipeline,
                          const std::string& where) {
  if (spec.options.finetune.epochs > 0 && pipeline.needs_calibration())
    throw Error(at(where, "input '" + spec.name + "': " + pipeline.label() +
                              ": fine-tuning (finetune.epochs > 0) is not supported with "
                              "calibrated pipelines"));
}

void ensure_trained(const ModelInputSpec& spec,
                    const std::function<void(const std::string&)>& log) {
  if (!std::filesystem::exists(spec.weights) && spec.train.at("model") == "gpt") {
    // As `interplay train --model gpt` does (train.images: the first N training bytes).
    const TrainBlock b = parse_train_block(spec.train, spec.name + ".train");
    Model model(b.arch);
    const GptTrainingRun run = train_gpt_on_bible(model, b.config, b.images, 0, {}, log);
    const auto parent = std::filesystem::path(spec.weights).parent_path();
    if (!parent.empty()) std::filesystem::create_directories(parent);
    save_model(model, spec.weights, run.training);
  }
  if (!std::filesystem::exists(spec.weights)) {
    const TrainBlock b = parse_train_block(spec.train, spec.name + ".train");
    Model model(b.arch);
    if (log) log("training " + spec.name + " -> " + spec.weights + " " + b.config.to_json().dump());
    const Dataset train = load_fashion_mnist("train", b.images);
    const Dataset test = load_fashion_mnist("test");
    model.init(b.config.seed);
    const TrainResult r = train_model(model, train, b.config);
    const EvalResult e = evaluate_model(model, test);
    json info = b.config.to_json();
    info["train_images"] = train.size();
    info["epoch_loss"] = r.epoch_loss;
    info["train_seconds"] = r.seconds;
    info["test_images"] = e.count;
    info["test_accuracy"] = e.accuracy;
    info["test_loss"] = e.loss;
    info["macs"] = r.macs;
    const auto parent = std::filesystem::path(spec.weights).parent_path();
    if (!parent.empty()) std::filesystem::create_directories(parent);
    save_model(model, spec.weights, info);
  }
}

std::unique_ptr<ModelStudy> open_model_study(const ModelInputSpec& spec,
                                             const std::function<void(const std::string&)>& log) {
  const bool need_train_set = spec.options.finetune.epochs > 0;
  ensure_trained(spec, log);
  LoadedModel loaded = load_model(spec.weights);
  input_architecture(spec);  // checks the options against the model kind
  const ModelStudyOptions& o = spec.options;
  if (loaded.model->kind() == "gpt") {
    // Test text for evaluation and probes, training text for fine-tuning and
    // calibration windows (the model was trained on it; the test books stay held out).
    TextSplit split = split_bible(load_bible_text());
    return std::make_unique<ModelStudy>(*loaded.model, o,
                                        LmTexts{std::move(split.test), std::move(split.train)});
  }
  auto study = std::make_unique<ModelStudy>(
      *loaded.model, o,
      load_fashion_mnist("test", o.test_images ? std::max(o.test_images, o.probe_images) : 0),
      need_train_set ? load_fashion_mnist("train", o.finetune_images) : Dataset{});
  // Calibration uses the first N training images (the model was trained on
  // them; the test images stay held out for evaluation).
  const std::size_t n = o.calibration.images;
  study->set_calibration_source([n] { return load_fashion_mnist("train", n); });
  return study;
}

}  // namespace interplay
