#include "models/weights_file.hpp"

#include "core/error.hpp"
#include "core/json_text.hpp"
#include "core/provenance.hpp"
#include "core/version.hpp"
#include "io/atomic_output.hpp"
#include "io/hdf5.hpp"
#include "models/dataset.hpp"

namespace interplay {

namespace h5 = io::h5;

namespace {

constexpr std::int64_t kFormatVersion = 1;

json layer_index(Model& model) {
  json layers = json::array();
  for (auto& [path, layer] : model.parameter_layers()) {
    json params = json::array();
    for (const Param& p : layer->params()) params.push_back(p.name);
    layers.push_back({{"path", path}, {"kind", layer->kind()}, {"params", params}});
  }
  return layers;
}

}  // namespace

void save_model(Model& model, const std::string& path, const json& training) {
  io::check_output_path(path);
  {
    h5::File f = h5::File::create_in_memory(path);
    f.set_attribute("format", "interplay-model");
    f.set_attribute("format_version", kFormatVersion);
    f.set_attribute("architecture", model.architecture().dump());
    f.set_attribute("training", training.dump());
    f.set_attribute("layers", layer_index(model).dump());
    const json input = model.kind() == "gpt"
                           ? json{{"layout", "NT"},
                                  {"tokens", "bytes 0..255 of the text, one per position"},
                                  {"output", "logits [N, T, 256]: position t predicts byte t + 1"}}
                           : json{{"layout", "NCHW"},
                                  {"normalization", "(pixel / 255 - mean) / std"},
                                  {"mean", kFashionMean},
                                  {"std", kFashionStd}};
    f.set_attribute("input", input.dump());
    f.set_attribute("interplay_version", kVersion);
    f.set_attribute("interplay_commit", kGitCommit);
    f.set_attribute("numerics", numeric_provenance().dump());  // BLAS kernel etc.
    for (auto& [lpath, layer] : model.parameter_layers())
      for (const Param& p : layer->params())
        h5::write_tensor(f, "/" + lpath + "/" + p.name, p.value);
    f.save_atomically(path);
  }
}

LoadedModel load_model(const std::string& path) {
  if (!h5::is_hdf5_file(path)) throw Error(path + ": not an HDF5 model file (or missing)");
  h5::File f = h5::File::open(path);
  if (!f.has_attribute("format") || f.string_attribute("format") != "interplay-model")
    throw Error(path + ": not an interplay model file (root attribute format != interplay-model)");
  const std::int64_t version = f.integer_attribute("format_version");
  if (version != kFormatVersion)
    throw Error(path + ": model format_version " + std::to_string(version) + " is not supported");
  const json arch =
      parse_json(f.string_attribute("architecture"), path + ": attribute 'architecture'");
  const json training = f.has_attribute("training") ? parse_json(f.string_attribute("training"),
                                                                 path + ": attribute 'training'")
                                                    : json{};
  LoadedModel m;
  m.model = std::make_unique<Model>(arch, path + ":architecture");
  m.training = training;
  for (auto& [lpath, layer] : m.model->parameter_layers())
    for (Param& p : layer->params()) {
      const std::string ds = "/" + lpath + "/" + p.name;
      Tensor t = h5::read_tensor(f, ds);
      if (t.shape != p.value.shape)
        throw Error(path + ":" + ds + ": shape " + shape_string(t.shape) + " does not match " +
                    shape_string(p.value.shape) + " of the architecture");
      p.value.data = std::move(t.data);
    }
  return m;
}

}  // namespace interplay
