#include "experiment/inputs.hpp"

#include <fnmatch.h>
#include <sys/stat.h>

#include <fstream>
#include <set>

#include "core/error.hpp"
#include "core/memory.hpp"
#include "core/rng.hpp"
#include "experiment/json_path.hpp"
#include "experiment/model_layers.hpp"
#include "io/checkpoint.hpp"
#include "io/hdf5.hpp"
#include "io/npy.hpp"
#include "io/safetensors_dtype.hpp"
#include "models/model_input.hpp"

namespace interplay::experiment {
namespace {

constexpr std::uint64_t kActivationSeedStream = 0xAC7;

std::string resolve_path(const std::string& base_dir, const std::string& file) {
  if (file.empty() || file[0] == '/' || base_dir.empty()) return file;
  return base_dir + "/" + file;
}

bool ends_with(const std::string& s, const std::string& suffix) {
  if (s.size() < suffix.size()) return false;
  std::string tail = s.substr(s.size() - suffix.size());
  for (auto& c : tail) c = char(std::tolower(static_cast<unsigned char>(c)));
  return tail == suffix;
}

bool is_npy(const std::string& f) {
  return ends_with(f, ".npy");
}
bool is_hdf5(const std::string& f) {
  return ends_with(f, ".h5") || ends_with(f, ".hdf5");
}
bool is_checkpoint(const std::string& f) {
  return io::is_checkpoint_path(f);
}

// Float tensors of a safetensors checkpoint whose names match `pattern` (a
// glob as for HDF5; names are used verbatim, dots and slashes included).
std::vector<std::pair<std::string, Shape>> checkpoint_tensors(const std::string& file,
                                                              const std::string& pattern,
                                                              std::int64_t ndim,
                                                              const std::string& path) {
  const io::Checkpoint c = io::Checkpoint::open(file);
  const bool glob = pattern.find_first_of("*?[") != std::string::npos;
  std::vector<std::pair<std::string, Shape>> out;
  for (const auto& r : c.tensors()) {
    const auto& e = *r.entry;
    if (glob ? ::fnmatch(pattern.c_str(), e.name.c_str(), 0) != 0 : e.name != pattern) continue;
    if (ndim > 0 && std::int64_t(e.shape.size()) != ndim) continue;
    if (!io::st::is_float_dtype(e.dtype)) {
      if (glob) continue;  // a glob picks the float tensors only
      throw Error(at(path, file + ":" + e.name + " is " + e.dtype + ", not F32/F16/BF16/F64"));
    }
    out.emplace_back(e.name, e.shape);
  }
  if (out.empty())
    throw Error(at(path, glob ? "no float tensor in '" + file + "' matches '" + pattern + "'"
                              : "no tensor '" + pattern + "' in '" + file + "'; " + c.listing()));
  return out;
}

Shape parse_shape(const json& v, const std::string& path) {
  check_array(v, path, true);
  Shape shape;
  for (std::size_t i = 0; i < v.size(); ++i)
    shape.push_back(std::size_t(as_int(v[i], index_path(path, i), 1, std::int64_t(1) << 32)));
  std::size_t n = 1;
  for (auto d : shape) n = checked_mul(n, d, at(path, "shape " + shape_string(shape)));
  if (n > (std::size_t(1) << 31))
    throw Error(at(path, "tensor of shape " + shape_string(shape) + " is too large"));
  // The tensor, its compressed copy and the pipeline's prefixes live at once.
  check_fits_in_memory(4 * n * sizeof(float), at(path, "a tensor of shape " + shape_string(shape)));
  return shape;
}

// Distribution parameters are keys of the entry itself: {"distribution":
// "student_t", "df": 3, ...}. Returns validated params, defaults filled in.
Params distribution_params_of(const json& entry, const std::string& path, const std::string& dist,
                              const std::vector<std::string>& own_keys) {
  std::vector<std::string> allowed = own_keys;
  for (const auto& p : distribution_params(dist)) allowed.push_back(p.name);
  check_object(entry, path, allowed);
  json given = json::object();
  for (const auto& p : distribution_params(dist))
    if (entry.contains(p.name)) given[p.name] = entry.at(p.name);
  Params params = validate_params(distribution_params(dist), given, path);
  if (dist == "uniform" && !(params.real("low") < params.real("high")))
    throw Error(at(child_path(path, "high"), "must be greater than 'low'"));
  return params;
}

std::uint64_t parse_seed(const json& v, const std::string& path) {
  return std::uint64_t(as_int(v, path, 0, std::int64_t(1) << 53));
}

Outliers parse_outliers(const json& v, const std::string& path) {
  check_object(v, path, {"fraction", "magnitude"});
  Outliers o;
  o.fraction = as_number(required(v, path, "fraction"), child_path(path, "fraction"), 0.0, 1.0);
  const json& m = required(v, path, "magnitude");
  const std::string mp = child_path(path, "magnitude");
  if (m.is_number()) {
    o.magnitude_lo = o.magnitude_hi = as_number(m, mp, 0.0, 1e30);
  } else {
    check_array(m, mp);
    if (m.size() != 2) throw Error(at(mp, "expected a number or [low, high]"));
    o.magnitude_lo = as_number(m[0], index_path(mp, 0), 0.0, 1e30);
    o.magnitude_hi = as_number(m[1], index_path(mp, 1), 0.0, 1e30);
    if (o.magnitude_hi < o.magnitude_lo) throw Error(at(mp, "high must be >= low"));
  }
  return o;
}

bool file_exists(const std::string& f) {
  struct stat st {};
  return ::stat(f.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

Shape npy_shape(const std::string& file, const std::string& path) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw Error(at(path, "cannot read '" + file + "'"));
  std::string head(70000, '\0');
  in.read(&head[0], std::streamsize(head.size()));
  head.resize(std::size_t(in.gcount()));
  const io::NpyHeader h = io::parse_npy_header(head, file);
  if (h.descr != "<f4" && h.descr != "<f8")
    throw Error(at(path, file + ": dtype " + h.descr + " is not float32/float64"));
  return h.shape;
}

// Every dataset of `file` matching `pattern` (a glob: '*' also matches '/').
std::vector<io::h5::DatasetInfo> hdf5_datasets(const std::string& file, std::string pattern,
                                               std::int64_t ndim, const std::string& path) {
  if (!pattern.empty() && pattern[0] != '/') pattern = "/" + pattern;
  const auto f = io::h5::File::open(file);
  std::vector<io::h5::DatasetInfo> out;
  const bool glob = pattern.find_first_of("*?[") != std::string::npos;
  for (const auto& d : f.list_datasets()) {
    if (glob ? ::fnmatch(pattern.c_str(), d.path.c_str(), 0) != 0 : d.path != pattern) continue;
    if (ndim > 0 && std::int64_t(d.shape.size()) != ndim) continue;
    const bool is_float = d.dtype == io::h5::DType::Float32 || d.dtype == io::h5::DType::Float64;
    if (!is_float) {
      if (glob) continue;  // a glob picks the float tensors only
      throw Error(at(path, file + ":" + d.path + " is " + io::h5::dtype_name(d.dtype) +
                               ", not float32/float64"));
    }
    out.push_back(d);
  }
  if (out.empty())
    throw Error(at(path, glob ? "no float dataset in '" + file + "' matches '" + pattern + "'"
                              : "no dataset '" + pattern + "' in '" + file + "'"));
  return out;
}

// Checks the file part of an entry; returns its datasets ({""} for .npy).
std::vector<std::pair<std::string, Shape>> file_tensors(const json& entry, const std::string& path,
                                                        const std::string& base_dir,
                                                        std::string& resolved) {
  const std::string file = as_string(required(entry, path, "file"), child_path(path, "file"));
  resolved = resolve_path(base_dir, file);
  const std::string fp = child_path(path, "file");
  if (!is_npy(file) && !is_hdf5(file) && !is_checkpoint(file))
    throw Error(at(fp, "'" + file + "' is neither .npy, .h5/.hdf5 nor .safetensors"));
  if (!file_exists(resolved)) throw Error(at(fp, "file '" + resolved + "' not found"));
  const json* ds = optional(entry, "dataset");
  const json* nd = optional(entry, "ndim");
  if (is_npy(file)) {
    if (ds)
      throw Error(at(child_path(path, "dataset"), "a .npy file holds one array; remove 'dataset'"));
    return {{"", npy_shape(resolved, fp)}};
  }
  if (!ds)
    throw Error(
        at(path, std::string(is_checkpoint(file) ? "a safetensors checkpoint needs 'dataset' "
                                                   "(a tensor name or a glob such as "
                                                   "\"model.layers.*.weight\")"
                                                 : "an HDF5 file needs 'dataset' (a path or "
                                                   "a glob such as \"*\")")));
  const std::int64_t ndim = nd ? as_int(*nd, child_path(path, "ndim"), 1, 32) : 0;
  if (is_checkpoint(file)) {
    try {
      return checkpoint_tensors(resolved, as_string(*ds, child_path(path, "dataset")), ndim,
                                child_path(path, "dataset"));
    } catch (const Error& e) {
      const std::string msg = e.what();
      if (msg.rfind(path, 0) == 0) throw;
      throw Error(at(fp, msg));
    }
  }
  std::vector<std::pair<std::string, Shape>> out;
  try {
    for (const auto& d : hdf5_datasets(resolved, as_string(*ds, child_path(path, "dataset")), ndim,
                                       child_path(path, "dataset")))
      out.emplace_back(d.path, d.shape);
  } catch (const Error& e) {
    const std::string msg = e.what();
    if (msg.rfind(path, 0) == 0) throw;
    throw Error(at(fp, msg));
  }
  return out;
}

void check_unique(std::set<std::string>& seen, const std::string& name, const std::string& path) {
  if (!seen.insert(name).second) throw Error(at(path, "duplicate name '" + name + "'"));
}

// {"file": F, "dataset": D}: one 2-D tensor.
TensorRef parse_tensor_ref(const json& e, const std::string& path, const std::string& base_dir) {
  if (!e.is_object()) throw Error(at(path, "expected {\"file\": ..., \"dataset\": ...}"));
  check_object(e, path, {"file", "dataset"});
  TensorRef r;
  const auto tensors = file_tensors(e, path, base_dir, r.file);
  if (tensors.size() != 1)
    throw Error(at(child_path(path, "dataset"), "needs exactly one dataset, the glob matched " +
                                                    std::to_string(tensors.size())));
  r.dataset = tensors[0].first, r.shape = tensors[0].second;
  r.source = r.dataset.empty() ? r.file : r.file + ":" + r.dataset;
  if (r.shape.size() != 2)
    throw Error(at(path, r.source + " has shape " + shape_string(r.shape) + ", expected 2-D"));
  return r;
}

// The "activations" (held-out X), "calibration" (X) and "hessian" (H) keys
// of a tensor input: X is [rows, in] and H [in, in] for a weight [out, in].
void parse_own_data(const json& e, const std::string& path, const std::string& base_dir,
                    InputInstance& in) {
  if (e.contains("calibration") && e.contains("hessian"))
    throw Error(at(path, "give 'calibration' (X) or 'hessian' (H), not both"));
  const std::size_t width = in.shape.empty() ? 1 : in.shape.back();
  auto ref = [&](const char* key, bool square) -> std::optional<TensorRef> {
    const json* v = optional(e, key);
    if (!v) return std::nullopt;
    const std::string kp = child_path(path, key);
    TensorRef r = parse_tensor_ref(*v, kp, base_dir);
    const bool fits = r.shape[1] == width && (!square || r.shape[0] == width);
    if (in.shape.size() != 2 || !fits)
      throw Error(at(kp, r.source + " has shape " + shape_string(r.shape) + " but input '" +
                             in.name + "' has shape " + shape_string(in.shape) + " (expected " +
                             (square ? "[in, in]" : "[rows, in]") + " for a weight [out, in])"));
    in.spec[key] = {{"file", v->at("file")}, {"dataset", r.dataset}};
    return r;
  };
  in.own_activations = ref("activations", false);
  in.calibration_x = ref("calibration", false);
  in.calibration_h = ref("hessian", true);
}

}  // namespace

std::vector<InputInstance> parse_inputs(const json& inputs, const std::string& path,
                                        const std::string& base_dir) {
  check_array(inputs, path, true);
  std::vector<InputInstance> out;
  std::set<std::string> names;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    const std::string ip = index_path(path, i);
    const json& e = inputs[i];
    if (!e.is_object())
      throw Error(at(ip, "expected an object with 'name' and 'distribution' or 'file'"));
    const std::string name = as_string(required(e, ip, "name"), child_path(ip, "name"));
    if (name.empty()) throw Error(at(child_path(ip, "name"), "must not be empty"));
    check_unique(names, name, child_path(ip, "name"));
    if (is_model_layer_input(e)) {
      for (InputInstance& in : parse_model_layer_inputs(e, ip, base_dir))
        out.push_back(std::move(in));
      continue;
    }
    if (is_model_input(e)) {
      // One instance per training seed (or the single given model).
      for (ModelInputSpec& one : per_seed(parse_model_input(e, ip, base_dir), ip)) {
        InputInstance in;
        auto spec = std::make_shared<ModelInputSpec>(std::move(one));
        in.name = spec->name;
        if (spec->seed) in.seed = std::int64_t(*spec->seed);
        in.spec = spec->canonical();
        in.model = std::move(spec);
        out.push_back(std::move(in));
      }
      continue;
    }
    if (e.contains("file")) {
      check_object(e, ip,
                   {"name", "file", "dataset", "ndim", "activations", "calibration", "hessian"});
      std::string resolved;
      const auto tensors = file_tensors(e, ip, base_dir, resolved);
      for (const auto& [dataset, shape] : tensors) {
        InputInstance in;
        in.name = tensors.size() > 1 ? name + ":" + dataset : name;
        in.file = resolved, in.dataset = dataset, in.shape = shape;
        in.spec = {{"file", e.at("file")}, {"dataset", dataset}};
        parse_own_data(e, ip, base_dir, in);
        out.push_back(std::move(in));
      }
      continue;
    }
    const json* dist = optional(e, "distribution");
    if (!dist) throw Error(at(ip, "needs 'distribution' (synthetic) or 'file'"));
    const std::string d =
        as_choice(*dist, child_path(ip, "distribution"), distribution_names(), "distribution");
    const Params params =
        distribution_params_of(e, ip, d,
                               {"name", "distribution", "shape", "seed", "seeds", "outliers",
                                "activations", "calibration", "hessian"});
    const Shape shape = parse_shape(required(e, ip, "shape"), child_path(ip, "shape"));
    std::optional<Outliers> outliers;
    if (const json* o = optional(e, "outliers"))
      outliers = parse_outliers(*o, child_path(ip, "outliers"));
    std::vector<std::uint64_t> seeds;
    if (e.contains("seed") && e.contains("seeds"))
      throw Error(at(ip, "give 'seed' or 'seeds', not both"));
    if (const json* s = optional(e, "seeds")) {
      check_array(*s, child_path(ip, "seeds"), true);
      for (std::size_t k = 0; k < s->size(); ++k)
        seeds.push_back(parse_seed((*s)[k], index_path(child_path(ip, "seeds"), k)));
    } else {
      seeds.push_back(e.contains("seed") ? parse_seed(e.at("seed"), child_path(ip, "seed")) : 0);
    }
    for (std::uint64_t seed : seeds) {
      InputInstance in;
      in.name = name, in.seed = std::int64_t(seed), in.shape = shape;
      in.distribution = d, in.params = params, in.outliers = outliers;
      in.spec = {
          {"distribution", d}, {"params", params.values()}, {"shape", shape}, {"seed", seed}};
      if (outliers)
        in.spec["outliers"] = {{"fraction", outliers->fraction},
                               {"magnitude", {outliers->magnitude_lo, outliers->magnitude_hi}}};
      parse_own_data(e, ip, base_dir, in);
      out.push_back(std::move(in));
    }
  }
  return out;
}

std::vector<ActivationSpec> parse_activations(const json& acts, const std::string& path,
                                              const std::string& base_dir,
                                              const std::vector<InputInstance>& inputs) {
  check_array(acts, path, true);
  std::vector<ActivationSpec> out;
  std::set<std::string> names;
  std::vector<std::string> kinds = distribution_names();
  kinds.push_back("correlated");
  kinds.push_back("isotropic");
  for (std::size_t i = 0; i < acts.size(); ++i) {
    const std::string ap = index_path(path, i);
    const json& e = acts[i];
    if (!e.is_object())
      throw Error(at(ap, "expected an object with 'name' and 'distribution' or 'file'"));
    ActivationSpec a;
    a.name = as_string(required(e, ap, "name"), child_path(ap, "name"));
    check_unique(names, a.name, child_path(ap, "name"));
    if (e.contains("file")) {
      check_object(e, ap, {"name", "file", "dataset"});
      const auto tensors = file_tensors(e, ap, base_dir, a.file);
      if (tensors.size() != 1)
        throw Error(at(child_path(ap, "dataset"),
                       "activations need exactly one dataset, the glob matched " +
                           std::to_string(tensors.size())));
      a.dataset = tensors[0].first, a.file_shape = tensors[0].second;
      const std::size_t width = a.file_shape.empty() ? 1 : a.file_shape.back();
      for (const auto& in : inputs)
        if (!in.model && !in.has_own_activations() && in.shape.back() != width)
          throw Error(at(ap, "activations have " + std::to_string(width) + " features but input '" +
                                 in.name + "' has shape " + shape_string(in.shape) +
                                 " (the last dimensions must match)"));
      a.spec = {{"file", e.at("file")}, {"dataset", a.dataset}};
      out.push_back(std::move(a));
      continue;
    }
    const json* dist = optional(e, "distribution");
    if (!dist) throw Error(at(ap, "needs 'distribution' (generated) or 'file'"));
    a.distribution = as_choice(*dist, child_path(ap, "distribution"), kinds, "distribution");
    const std::vector<std::string> own{"name", "distribution", "rows", "seed", "calibration_rows"};
    if (a.distribution == "isotropic") {
      // The exact isotropic expectation, not a sample: X = I (see load_activations).
      check_object(e, ap, {"name", "distribution"});
      a.spec = {{"distribution", "isotropic"}};
      out.push_back(std::move(a));
      continue;
    }
    if (a.distribution == "correlated") {
      check_object(e, ap,
                   {"name", "distribution", "rows", "seed", "calibration_rows", "spectrum", "alpha",
                    "rate"});
      if (const json* s = optional(e, "spectrum"))
        a.spectrum.kind =
            as_choice(*s, child_path(ap, "spectrum"), {"power", "exponential", "flat"}, "spectrum");
      if (const json* al = optional(e, "alpha"))
        a.spectrum.alpha = as_number(*al, child_path(ap, "alpha"), 0.0, 10.0);
      if (const json* r = optional(e, "rate"))
        a.spectrum.rate = as_number(*r, child_path(ap, "rate"), 0.0, 1000.0);
      a.spec = {{"distribution", "correlated"}, {"spectrum", a.spectrum.kind}};
      if (a.spectrum.kind == "power") a.spec["alpha"] = a.spectrum.alpha;
      if (a.spectrum.kind == "exponential") a.spec["rate"] = a.spectrum.rate;
    } else {
      a.params = distribution_params_of(e, ap, a.distribution, own);
      a.spec = {{"distribution", a.distribution}, {"params", a.params.values()}};
    }
    a.rows = std::size_t(as_int(required(e, ap, "rows"), child_path(ap, "rows"), 1, 1 << 20));
    a.seed = e.contains("seed") ? parse_seed(e.at("seed"), child_path(ap, "seed")) : 0;
    a.spec["rows"] = a.rows;
    a.spec["seed"] = a.seed;
    if (const json* c = optional(e, "calibration_rows")) {
      a.calibration_rows = std::size_t(as_int(*c, child_path(ap, "calibration_rows"), 1, 1 << 20));
      a.spec["calibration_rows"] = a.calibration_rows;  // only when given: ids stay stable
    }
    out.push_back(std::move(a));
  }
  return out;
}

Tensor load_tensor(const TensorRef& r) {
  if (is_checkpoint(r.file)) return io::Checkpoint::open(r.file).read(r.dataset);
  if (r.dataset.empty()) return io::read_npy(r.file);
  return io::h5::read_tensor(io::h5::File::open(r.file), r.dataset);
}

Tensor load_input(const InputInstance& in) {
  // A model is evaluated through its study; a model layer is captured with
  // the other layers of its model (experiment/model_layers).
  if (in.model || in.model_layer) return Tensor();
  if (!in.file.empty()) return load_tensor({in.file, in.dataset, in.shape, in.file});
  Tensor t(in.shape);
  const std::uint64_t seed = std::uint64_t(*in.seed);
  sample_distribution(in.distribution, in.params, seed, t.data.data(), t.size());
  if (in.outliers) inject_outliers(*in.outliers, seed, t.data.data(), t.size());
  return t;
}

Tensor load_activations(const ActivationSpec& a, std::size_t features) {
  if (!a.file.empty()) return load_tensor({a.file, a.dataset, a.file_shape, a.file});
  if (a.distribution == "correlated")
    return correlated_activations(a.rows, features, a.spectrum, a.seed);
  if (a.distribution == "isotropic") {
    // X = I [features, features]: ||X D^T||_F^2 = ||D||_F^2 exactly, the
    // expectation E||x D^T||^2 for one row x with identity covariance (THEORY T5's
    // isotropic case c ||D||^2 with c = 1), free of the finite-sample error of
    // a random X whose sample covariance is far from I unless rows >> features.
    Tensor t({features, features});
    for (std::size_t i = 0; i < features; ++i) t.data[i * features + i] = 1.0f;
    return t;
  }
  // A seed of its own: activations must not replay an input drawn with the same seed.
  Tensor t({a.rows, features});
  sample_distribution(a.distribution, a.params, counter_hash(a.seed, kActivationSeedStream, 0),
                      t.data.data(), t.size());
  return t;
}

}  // namespace interplay::experiment
