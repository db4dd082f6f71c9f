// The `interplay` Python module (pybind11): the library's pipelines, plugin
// list and results files, with the CLI's error messages raised as Python
// exceptions (interplay.Error, a ValueError).
//
//   y, steps = interplay.compress(w, [{"sparsifier": "nm", "n": 2, "m": 4},
//                                     {"quantizer": "mxfp4"}])
//   interplay.list_plugins()["quantizers"]["int"]["params"]
//   pandas.DataFrame(interplay.read_results("results/order_tensor.h5"))
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstring>
#include <string>
#include <type_traits>
#include <vector>

#include "core/error.hpp"
#include "core/pipeline.hpp"
#include "core/registry.hpp"
#include "core/version.hpp"
#include "experiment/result_file.hpp"
#include "io/hdf5.hpp"

namespace py = pybind11;
using namespace interplay;

namespace {

// The CLI's default metric columns (cli/compress.cpp), those registered.
MetricSet metric_set(const py::object& metrics) {
  if (!metrics.is_none()) return MetricSet::from_names(metrics.cast<std::string>());
  std::string names;
  for (const char* m : {"l1", "l2sq", "rel_l2", "sqnr_db", "max_abs", "nonzero_fraction"})
    if (interplay::metrics().contains(m)) names += std::string(names.empty() ? "" : ",") + m;
  return MetricSet::from_names(names);
}

json to_json(const py::object& o) {
  const py::object dumps = py::module_::import("json").attr("dumps");
  return json::parse(dumps(o).cast<std::string>());
}

py::object from_json(const json& j) {
  return py::module_::import("json").attr("loads")(j.dump());
}

Pipeline pipeline_of(const py::object& spec) {
  if (py::isinstance<py::str>(spec)) return Pipeline::from_text(spec.cast<std::string>());
  return Pipeline::from_json(to_json(spec));
}

// The library's Tensor owns its storage, so the input is copied once; a
// float32 C-contiguous array goes straight into that copy, float64 or strided
// arrays are converted on the way (float64 rounds to nearest, as the CLI reads
// float64 files).
Tensor tensor_of(const py::array& a, const char* what) {
  const auto kind = a.dtype().kind();
  if (kind != 'f')
    throw Error(std::string(what) + ": expected a float32 or float64 array, got dtype " +
                py::str(a.dtype()).cast<std::string>());
  const auto f = py::array_t<float, py::array::c_style | py::array::forcecast>::ensure(a);
  Tensor t;
  for (py::ssize_t d = 0; d < f.ndim(); ++d) t.shape.push_back(std::size_t(f.shape(d)));
  t.data.assign(f.data(), f.data() + f.size());
  return t;
}

py::array_t<float> array_of(Tensor&& t) {
  // The tensor's storage moves into a capsule the array owns: no copy out.
  auto* data = new std::vector<float>(std::move(t.data));
  py::capsule owner(data, [](void* p) { delete static_cast<std::vector<float>*>(p); });
  std::vector<py::ssize_t> shape(t.shape.begin(), t.shape.end());
  return py::array_t<float>(shape, data->data(), owner);
}

py::tuple compress(const py::array& array, const py::object& pipeline,
                   const py::object& calibration, const py::object& metrics) {
  const Pipeline p = pipeline_of(pipeline);
  const MetricSet m = metric_set(metrics);
  const Tensor x = tensor_of(array, "array");
  Tensor acts;
  MetricContext ctx;
  if (!calibration.is_none()) {
    acts = tensor_of(calibration.cast<py::array>(), "calibration");
    if (acts.rank() != 2 || x.rank() < 1 || acts.shape[1] != x.shape.back())
      throw Error("calibration: expected activations [n, " +
                  std::to_string(x.rank() ? x.shape.back() : 0) + "] for a weight of shape " +
                  shape_string(x.shape) + ", got " + shape_string(acts.shape));
    ctx.activations = &acts;
  }
  std::vector<Tensor> prefixes;
  {
    py::gil_scoped_release unlocked;  // long kernels; OpenMP inside
    prefixes = p.run_prefixes(x);
  }
  py::list steps;
  const auto& cols = m.columns();
  for (std::size_t i = 0; i < p.steps().size(); ++i) {
    const auto& s = p.steps()[i];
    py::dict row;
    row["step"] = i;
    row["kind"] = s.kind_name();
    row["name"] = s.name;
    row["plugin"] = s.plugin;
    row["params"] = from_json(s.params);
    const std::vector<double> v = m.evaluate(x, prefixes[i], ctx);
    py::dict errors;
    for (std::size_t c = 0; c < cols.size(); ++c) errors[py::str(cols[c])] = v[c];
    row["errors"] = errors;
    steps.append(row);
  }
  Tensor y = prefixes.empty() ? x : std::move(prefixes.back());
  return py::make_tuple(array_of(std::move(y)), steps);
}

// The structural self-description, as list-plugins --json shows it
// (quantizers and sparsifiers; metrics have none).
template <class Base>
void describe(py::dict& entry, const Registry<Base>& registry, const std::string& name) {
  if constexpr (!std::is_same_v<Base, Metric>)
    entry["description"] = from_json(registry.describe(name).to_json());
}

py::dict list_plugins() {
  py::dict out;
  auto add = [&](const char* key, const auto& registry) {
    py::dict kind;
    for (const auto& [name, info] : registry.plugins()) {
      py::dict entry, params;
      entry["summary"] = info.summary;
      for (const auto& spec : info.params) params[py::str(spec.name)] = from_json(spec.to_json());
      entry["params"] = params;
      describe(entry, registry, name);
      kind[py::str(name)] = entry;
    }
    py::dict presets;
    for (const auto& [name, p] : registry.presets()) {
      py::dict entry;
      entry["plugin"] = p.plugin;
      entry["summary"] = p.summary;
      entry["params"] = from_json(p.params);
      describe(entry, registry, name);
      presets[py::str(name)] = entry;
    }
    out[key] = kind;
    out[(std::string(key) + "_presets").c_str()] = presets;
  };
  add("quantizers", quantizers());
  add("sparsifiers", sparsifiers());
  add("metrics", metrics());
  return out;
}

// Column name -> numpy float64 array or list of str, in the file's column
// order: a results file (interplay run) or a compress report (.h5).
py::dict read_results(const std::string& path) {
  py::dict out;
  auto put = [&](const std::string& name, bool text, const std::vector<double>& numbers,
                 const std::vector<std::string>& strings) {
    if (text)
      out[py::str(name)] = py::cast(strings);
    else
      out[py::str(name)] = py::array_t<double>(py::ssize_t(numbers.size()), numbers.data());
  };
  if (io::h5::is_hdf5_file(path)) {
    const auto f = io::h5::File::open(path);
    if (f.has_attribute("tool") && f.string_attribute("tool") == "interplay compress") {
      const auto points = f.group("points");
      for (const auto& name : json::parse(points.string_attribute("columns"))) {
        const auto d = points.dataset(name.get<std::string>());
        if (d.dtype() == io::h5::DType::String)
          put(name, true, {}, d.read_strings());
        else
          put(name, false, d.read<double>(), {});
      }
      return out;
    }
  }
  const auto r = experiment::read_results(path);
  for (const auto& c : r.table.columns()) put(c.name, c.text, c.numbers, c.strings);
  return out;
}

}  // namespace

PYBIND11_MODULE(interplay, m) {
  m.doc() = "interplay: sparsity x quantization pipelines (C++ library bindings)";
  static py::exception<Error> error(m, "Error", PyExc_ValueError);
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const Error& e) {
      PyErr_SetString(error.ptr(), e.what());
    }
  });
  m.attr("__version__") = kVersion;
  m.attr("git_commit") = kGitCommit;
  m.def("compress", &compress, py::arg("array"), py::arg("pipeline"),
        py::arg("calibration") = py::none(), py::arg("metrics") = py::none(),
        "compress(array, pipeline, calibration=None, metrics=None) -> (float32 array, steps)\n\n"
        "pipeline: a preset/plugin name, inline JSON text, a JSON file path, or a dict/list of "
        "steps.\ncalibration: activations [n, in_features] for activation-aware metrics.\n"
        "metrics: comma-separated metric names (default as `interplay compress`).\n"
        "steps: one dict per step (step, kind, name, plugin, params, errors) where errors are "
        "the metrics of the output after that step against the input.");
  m.def("list_plugins", &list_plugins,
        "Every quantizer, sparsifier and metric with its typed parameters, and the presets.");
  m.def("read_results", &read_results, py::arg("path"),
        "Columns of an interplay results file (or a compress --report .h5) as a dict usable by "
        "pandas.DataFrame: numpy float64 arrays and lists of str.");
}
