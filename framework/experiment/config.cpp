#include "experiment/config.hpp"

#include <fstream>
#include <sstream>

#include "core/error.hpp"
#include "core/json_text.hpp"
#include "core/suggest.hpp"
#include "experiment/derived.hpp"
#include "experiment/json_path.hpp"
#include "experiment/overrides.hpp"
#include "models/model_input.hpp"

namespace interplay::experiment {
namespace {

const std::vector<std::string> kTopKeys{"name",        "description", "output",  "inputs",
                                        "activations", "sweep",       "metrics", "derived",
                                        "tables",      "reduce",      "figures"};

std::string dir_of(const std::string& file) {
  const std::size_t slash = file.rfind('/');
  return slash == std::string::npos ? std::string() : file.substr(0, slash);
}

}  // namespace

DerivedSpec parse_derived(const json& v, const std::string& path,
                          const std::vector<std::string>& metric_cols) {
  check_object(v, path, {"orthogonality", "order", "regime"});
  DerivedSpec d;
  auto list = [&](const char* key, std::vector<std::string>& out) {
    const json* l = optional(v, key);
    if (!l) return;
    const std::string lp = child_path(path, key);
    out = as_string_list(*l, lp);
    for (std::size_t i = 0; i < out.size(); ++i)
      if (std::find(metric_cols.begin(), metric_cols.end(), out[i]) == metric_cols.end())
        throw Error(
            at(index_path(lp, i), unknown_name_message("metric column", out[i], metric_cols)));
  };
  list("orthogonality", d.orthogonality);
  list("order", d.order);
  if (const json* r = optional(v, "regime")) {
    const std::string rp = child_path(path, "regime");
    check_object(*r, rp, {"metric", "max"});
    d.regime_metric = as_string(required(*r, rp, "metric"), child_path(rp, "metric"));
    if (std::find(metric_cols.begin(), metric_cols.end(), d.regime_metric) == metric_cols.end())
      throw Error(at(child_path(rp, "metric"),
                     unknown_name_message("metric column", d.regime_metric, metric_cols)));
    const json& mx = required(*r, rp, "max");
    if (!mx.is_number())
      throw Error(at(child_path(rp, "max"), "expected a number, got " + mx.dump()));
    d.regime_max = mx.get<double>();
  }
  return d;
}

ExperimentConfig parse_config(const json& config, const std::string& file,
                              const std::string& base_dir) {
  check_object(config, "", kTopKeys);
  ExperimentConfig cfg;
  cfg.effective = config;
  cfg.file = file;
  cfg.base_dir = base_dir;
  if (const json* v = optional(config, "name")) cfg.name = as_string(*v, "name");
  if (const json* v = optional(config, "description"))
    cfg.description = as_string(*v, "description");
  if (const json* v = optional(config, "output")) {
    const std::string out = as_string(*v, "output");
    if (out.empty()) throw Error("output: must not be empty");
    cfg.output = out[0] == '/' || base_dir.empty() ? out : base_dir + "/" + out;
  }
  cfg.inputs = parse_inputs(required(config, "", "inputs"), "inputs", base_dir);
  if (const json* v = optional(config, "activations"))
    cfg.activations = parse_activations(*v, "activations", base_dir, cfg.inputs);
  const bool tensor_inputs = std::any_of(cfg.inputs.begin(), cfg.inputs.end(),
                                         [](const InputInstance& in) { return !in.model; });
  cfg.metrics_spec = config.contains("metrics") ? config.at("metrics") : json::array();
  check_array(cfg.metrics_spec, "metrics", tensor_inputs);
  cfg.metrics = MetricSet::from_json(cfg.metrics_spec, "metrics");
  const auto& mcols = cfg.metrics.columns();
  for (std::size_t i = 0; i < mcols.size(); ++i)
    if (std::find(mcols.begin(), mcols.begin() + std::ptrdiff_t(i), mcols[i]) !=
        mcols.begin() + std::ptrdiff_t(i))
      throw Error("metrics: column '" + mcols[i] + "' is produced twice");
  cfg.value_columns = mcols;
  for (const auto& in : cfg.inputs)
    if (in.model)
      for (const auto& c : model_input_columns(*in.model))
        if (std::find(cfg.value_columns.begin(), cfg.value_columns.end(), c) ==
            cfg.value_columns.end())
          cfg.value_columns.push_back(c);
  // The union of the model inputs' replicate columns, in first-seen order
  // (classifier inputs alone give example_replicate_columns(), as before gpt).
  for (const auto& in : cfg.inputs)
    if (in.model) {
      cfg.replicate_count = kExampleReplicates;
      for (const auto& c : model_input_replicate_columns(*in.model))
        if (std::find(cfg.replicate_columns.begin(), cfg.replicate_columns.end(), c) ==
            cfg.replicate_columns.end())
          cfg.replicate_columns.push_back(c);
    }
  cfg.sweep = parse_sweep(required(config, "", "sweep"), "sweep");
  if (const json* v = optional(config, "derived"))
    cfg.derived = parse_derived(*v, "derived", cfg.value_columns);
  if (const json* v = optional(config, "tables")) cfg.tables = parse_tables(*v, "tables");
  if (const json* v = optional(config, "figures")) cfg.figures = parse_figures(*v, "figures");
  if (const json* v = optional(config, "reduce"))
    if (!v->is_object()) throw Error("reduce: expected an object {PATH: VALUE, ...}");
  return cfg;
}

json read_config_json(const std::string& file) {
  std::ifstream in(file);
  if (!in) throw Error(file + ": cannot open config file");
  std::stringstream ss;
  ss << in.rdbuf();
  return parse_json(ss.str(), file);  // its errors give line and column
}

ExperimentConfig load_config(const std::string& file, const std::vector<std::string>& sets,
                             bool reduce) {
  json config = read_config_json(file);
  if (reduce) apply_reduce(config);
  for (const auto& s : sets) apply_set_option(config, s);
  try {
    return parse_config(config, file, dir_of(file));
  } catch (const Error& e) {
    throw Error(file + ": " + e.what());
  }
}

std::vector<ColumnDef> result_columns(const ExperimentConfig& cfg,
                                      const std::vector<Point>& points) {
  std::vector<ColumnDef> cols{
      {"id", true},         {"input", true},    {"seed", false},
      {"activation", true}, {"sparsity", true}, {"format", true},
      {"order", true},      {"pipeline", true}, {"bits_per_element", false}};
  auto has = [&](const std::string& n) {
    return std::any_of(cols.begin(), cols.end(), [&](const ColumnDef& c) { return c.name == n; });
  };
  for (const auto& p : points)
    for (const auto& [k, v] : p.swept.items())
      if (!has(k)) cols.push_back({k, v.is_string() || v.is_boolean()});
  for (const auto& m : cfg.value_columns) cols.push_back({m, false});
  for (const auto& d : derived_columns(cfg.derived)) cols.push_back({d, false});
  return cols;
}

void validate_tables(const ExperimentConfig& cfg, const std::vector<ColumnDef>& columns) {
  for (const auto& t : cfg.tables) check_table_columns(t, columns);
  std::vector<std::string> names;
  for (const auto& c : columns) names.push_back(c.name);
  for (const auto& f : cfg.figures) figure_table(f, names);  // checks the figure's columns
}

}  // namespace interplay::experiment
