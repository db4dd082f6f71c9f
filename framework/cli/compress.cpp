// `interplay compress --pipeline P --input FILE[:DATASET] --output FILE[:DATASET]`:
// apply a pipeline to one tensor, write the result as float32, and print the
// error of every pipeline prefix against the input. With --tensors, compress
// a whole safetensors checkpoint instead (cli/compress_checkpoint.cpp).
#include <cstdio>
#include <iomanip>
#include <iostream>
#include <memory>
#include <sstream>

#include "cli/command.hpp"
#include "cli/compress_checkpoint.hpp"
#include "core/calibration.hpp"
#include "core/error.hpp"
#include "core/pipeline.hpp"
#include "core/registry.hpp"
#include "core/version.hpp"
#include "io/atomic_output.hpp"
#include "io/tensor_file.hpp"
#include "io/tensor_provenance.hpp"

namespace interplay::cli {
namespace {

// The default columns; names not (yet) registered are skipped.
constexpr const char* kDefaultMetrics[] = {"l1",      "l2sq",    "rel_l2",
                                           "sqnr_db", "max_abs", "nonzero_fraction"};

MetricSet metric_set(const po::variables_map& vm) {
  if (vm.count("metrics")) return MetricSet::from_names(vm["metrics"].as<std::string>());
  std::string names;
  for (const char* m : kDefaultMetrics)
    if (metrics().contains(m)) names += std::string(names.empty() ? "" : ",") + m;
  return MetricSet::from_names(names);
}

// {"bits": 8, "scheme": "symmetric"} -> "bits=8 scheme=symmetric".
std::string compact_params(const json& params) {
  std::string s;
  for (const auto& [k, v] : params.items())
    s += (s.empty() ? "" : " ") + k + "=" + (v.is_string() ? v.get<std::string>() : v.dump());
  return s;
}

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

void print_table(const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> width;
  for (const auto& r : rows)
    for (std::size_t c = 0; c < r.size(); ++c) {
      if (width.size() <= c) width.push_back(0);
      width[c] = std::max(width[c], r[c].size());
    }
  for (const auto& r : rows) {
    std::string line;
    for (std::size_t c = 0; c < r.size(); ++c) {
      std::string cell = r[c];
      if (c + 1 < r.size()) cell.resize(width[c], ' ');
      line += (c ? "  " : "") + cell;
    }
    std::cout << line << "\n";
  }
}

}  // namespace

int cmd_compress(const std::vector<std::string>& args) {
  po::options_description opts("compress options");
  opts.add_options()  //
      ("pipeline", po::value<std::string>()->required(),
       "inline JSON, a JSON file, or a preset/plugin name")  //
      ("input", po::value<std::string>()->required(),
       "FILE.npy, FILE.h5:DATASET or FILE.safetensors:NAME; with --tensors a checkpoint "
       "(FILE.safetensors or model.safetensors.index.json)")  //
      ("output", po::value<std::string>()->required(),
       "like --input; with --tensors one OUT.safetensors")  //
      (
          "tensors", po::value<std::string>(),
          "compress every float tensor of the --input checkpoint whose name matches one of these "
          "comma-separated globs ('*' matches across '.' and '/'); the rest is copied byte for "
          "byte")  //
      ("report", po::value<std::string>(),
       "with --tensors: per-tensor report (name, shape, dtypes, metrics, bits per element) as "
       "FILE.csv or FILE.h5")                       //
      ("quiet", "with --tensors: no progress bar")  //
      ("metrics", po::value<std::string>(),
       "comma-separated metrics (default: l1,l2sq,rel_l2,sqnr_db,max_abs,nonzero_fraction)")  //
      ("calibration", po::value<std::string>(),
       "layer inputs X [n, in] (rows are samples), FILE.npy or FILE.h5:DATASET, for calibrated "
       "steps (solver gptq, wanda, sparsegpt)")  //
      ("hessian", po::value<std::string>(),
       "the Hessian H = 2/n X^T X [in, in] instead of X")  //
      ("json", "print the report as JSON");
  po::variables_map vm;
  if (!parse_command_line(
          "compress",
          "--pipeline PIPELINE --input FILE[:DATASET] --output FILE[:DATASET] "
          "[--calibration FILE[:DATASET] | --hessian FILE[:DATASET]] "
          "[--metrics l1,l2,...] [--json]\n"
          "       interplay compress --pipeline PIPELINE --input CKPT --tensors GLOB "
          "--output OUT.safetensors [--report FILE.csv|FILE.h5] [--metrics ...] "
          "[--quiet]\n\nexample (GPTQ 4-bit per channel, "
          "then SparseGPT 2:4 joint with INT4, on a layer with inputs X):\n"
          "  interplay compress --input w.npy --output q.npy --calibration x.npy "
          "--pipeline '{\"quantizer\": \"int4\", \"solver\": \"gptq\"}'\n"
          "  interplay compress --input w.npy --output q.npy --hessian h.h5:/H "
          "--pipeline '{\"sparsifier\": \"sparsegpt\", \"n\": 2, \"m\": 4, "
          "\"quantizer\": \"int4\"}'",
          args, opts, {}, vm))
    return 0;

  if (vm.count("tensors")) {
    if (vm.count("json"))
      throw Error("compress: --json is for one tensor; use --report with --tensors");
    const Pipeline pipeline = Pipeline::from_text(vm["pipeline"].as<std::string>());
    CheckpointJob job;
    job.input = vm["input"].as<std::string>();
    job.output = vm["output"].as<std::string>();
    job.tensors = vm["tensors"].as<std::string>();
    job.report = vm.count("report") ? vm["report"].as<std::string>() : "";
    job.quiet = vm.count("quiet") > 0;
    return compress_checkpoint(job, pipeline, metric_set(vm));
  }
  if (vm.count("report") || vm.count("quiet"))
    throw Error("compress: --report and --quiet go with --tensors (a whole checkpoint)");

  // Everything that can fail is checked before anything is written.
  const Pipeline pipeline = Pipeline::from_text(vm["pipeline"].as<std::string>());
  const MetricSet metric_columns = metric_set(vm);
  const io::TensorSpec input = io::parse_tensor_spec(vm["input"].as<std::string>());
  const io::TensorSpec output = io::parse_tensor_spec(vm["output"].as<std::string>());
  // The output may add a dataset to the input's HDF5 file, never replace what is read.
  if (output.format == io::TensorFormat::Npy || output.dataset == input.dataset)
    io::check_output_not_input(output.file, {input.file});
  io::check_writable(output);
  if (vm.count("calibration") && vm.count("hessian"))
    throw Error("compress: give either --calibration or --hessian, not both");
  std::unique_ptr<Calibration> calibration;
  if (vm.count("calibration") || vm.count("hessian")) {
    const bool is_x = vm.count("calibration");
    const io::TensorSpec spec =
        io::parse_tensor_spec(vm[is_x ? "calibration" : "hessian"].as<std::string>());
    const std::string what = (is_x ? "--calibration " : "--hessian ") + spec.str();
    Tensor c = io::read_tensor(spec);
    calibration =
        std::make_unique<Calibration>(is_x ? Calibration::from_inputs(std::move(c), what)
                                           : Calibration::from_hessian(std::move(c), what));
  }
  const Tensor x = io::read_tensor(input);
  if (calibration) calibration->check(x.shape, "--input " + input.str());
  if (!calibration && pipeline.needs_calibration())
    for (const auto& s : pipeline.steps())
      if (s.needs_calibration())
        throw Error(
            at(s.where, std::string(s.kind_name()) + " '" + s.name +
                            "' needs calibration data: add --calibration X or --hessian H"));

  const std::vector<Tensor> prefixes = pipeline.run_prefixes(x, calibration.get());
  std::vector<std::vector<double>> errors;
  for (const Tensor& y : prefixes) errors.push_back(metric_columns.evaluate(x, y));
  // Provenance travels with the output (.h5 attributes, safetensors metadata).
  io::write_tensor(output, prefixes.empty() ? x : prefixes.back(),
                   {{"tool", "interplay compress"},
                    {"version", kVersion},
                    {"git_commit", kGitCommit},
                    {"pipeline", pipeline.to_json().dump()},
                    {"input", input.str()}});

  const auto& steps = pipeline.steps();
  const auto& columns = metric_columns.columns();
  if (vm.count("json")) {
    json rows = json::array();
    for (std::size_t i = 0; i < steps.size(); ++i) {
      json errs = json::object();
      for (std::size_t c = 0; c < columns.size(); ++c) errs[columns[c]] = errors[i][c];
      rows.push_back({{"step", i},
                      {"kind", steps[i].kind_name()},
                      {"name", steps[i].name},
                      {"plugin", steps[i].plugin},
                      {"params", steps[i].params},
                      {"errors", errs}});
    }
    const json report{{"input", input.str()}, {"output", output.str()},
                      {"shape", x.shape},     {"pipeline", pipeline.to_json()},
                      {"metrics", columns},   {"steps", rows}};
    std::cout << report.dump(2) << "\n";
    return 0;
  }
  std::cout << input.str() << " " << shape_string(x.shape) << " -> " << output.str()
            << " (float32), pipeline: " << pipeline.label() << "\n";
  // Parameters go last: they are long, and the metric columns should line up.
  std::vector<std::vector<std::string>> table{{"step", "kind", "name"}};
  for (const auto& c : columns) table[0].push_back(c);
  table[0].push_back("params");
  for (std::size_t i = 0; i < steps.size(); ++i) {
    std::vector<std::string> row{std::to_string(i), steps[i].kind_name(), steps[i].name};
    for (double v : errors[i]) row.push_back(number(v));
    row.push_back(compact_params(steps[i].params));
    table.push_back(row);
  }
  print_table(table);
  return 0;
}

}  // namespace interplay::cli
