// `interplay prove`: the THEORY.md statements as executable checks
// (proofs_check/). Runs the configuration matrix, prints the verdicts, writes
// the markdown / JSON reports and the HDF5 counterexample store, or replays
// stored counterexamples. Exit status: 0 when every statement came out as
// stated (forall: no violation inside its assumptions; exists: a witness) and
// every replay reproduced, 3 otherwise, 1 on errors.
#include <fstream>
#include <iostream>
#include <sstream>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "cli/command.hpp"
#include "core/error.hpp"
#include "core/json_text.hpp"
#include "io/atomic_output.hpp"
#include "io/tensor_file.hpp"
#include "proofs_check/counterexample_store.hpp"
#include "proofs_check/replay.hpp"
#include "proofs_check/report.hpp"

namespace interplay::cli {
namespace {

using namespace interplay::proofs;

constexpr int kChecksFailed = 3;

void write_text(const std::string& path, const std::string& text) {
  io::write_file_atomically(path, text);
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

int replay_file(const std::string& spec) {
  std::vector<std::pair<std::string, Counterexample>> list;
  if (ends_with(spec, ".json")) {
    std::ifstream f(spec);
    if (!f) throw Error(spec + ": cannot open");
    std::stringstream text;
    text << f.rdbuf();
    const json j = parse_json(text.str(), spec);
    for (auto& [where, c] : counterexamples_from_report(j))
      list.emplace_back(spec + ":" + where, c);
  } else {
    for (auto& s : read_counterexamples(spec)) list.emplace_back(s.where, s.counterexample);
  }
  std::size_t reproduced = 0;
  for (const auto& [where, c] : list) {
    const ReplayOutcome r = replay(c);
    reproduced += r.reproduces;
    std::cout << where << "\n  " << describe_replay(c, r) << "\n  x = " << inline_values(c.x)
              << "\n";
  }
  std::cout << reproduced << "/" << list.size() << " counterexamples reproduced\n";
  return reproduced == list.size() ? 0 : kChecksFailed;
}

WeightSource load_weights(const std::string& spec) {
  WeightSource w;
  w.name = spec;
  w.weights = io::read_tensor(spec);
  Tensor& t = w.weights;
  if (t.rank() == 0) throw Error(at("--weights " + spec, "a scalar is not a weight matrix"));
  const std::size_t cols = t.shape.back();
  t.shape = Shape{t.size() / (cols ? cols : 1), cols};  // rows of the last axis
  return w;
}

}  // namespace

int cmd_prove(const std::vector<std::string>& args) {
  po::options_description opts("prove options");
  std::vector<std::string> statements, quantizers, sparsifiers, roundings, layouts, models;
  std::size_t model_images = 0;
  std::string json_path, report_path, store_path, replay_spec, weights_spec;
  std::uint64_t seed = RunOptions{}.seed;
  int threads = 0;
  opts.add_options()("quick", "small budget (the default; runs in the test suite)")(
      "full", "large budget: the committed report")("statement",
                                                    po::value(&statements)->composing(),
                                                    "only this statement (repeatable): L1, T1..T5")(
      "quantizer", po::value(&quantizers)->composing(),
      "only this matrix quantizer label (repeatable)")(
      "sparsifier", po::value(&sparsifiers)->composing(),
      "only this sparsity label (repeatable): 2:4, 1:4, 4:8, unstructured50, row50")(
      "rounding", po::value(&roundings)->composing(),
      "only this rounding (repeatable): nearest_even, stochastic")(
      "layout", po::value(&layouts)->composing(),
      "only this layout (repeatable): nested, crossed, small")(
      "model", po::value(&models)->composing(),
      "M1: a model written by `interplay train` (repeatable); needs Fashion-MNIST")(
      "model-seeds",
      "M1: the --model files are training seeds of one model (e.g. --model m.seed0.h5 --model "
      "m.seed1.h5 ...): pairs are averaged over them and bootstrapped over seeds x test images")(
      "model-images", po::value(&model_images),
      "M1: first N test images (default 1000 with --quick, all 10000 with --full)")(
      "weights", po::value(&weights_spec), "also sample crops of real weights from FILE[:DATASET]")(
      "seed", po::value(&seed), "base seed of every case's draws (default 20250101)")(
      "threads", po::value(&threads),
      "worker threads across cases (default: OMP_NUM_THREADS or all cores; results do not depend "
      "on it)")("json", po::value(&json_path),
                "write the full report as JSON (every counterexample, replayable)")(
      "report", po::value(&report_path), "write the markdown report")(
      "counterexamples", po::value(&store_path), "write every counterexample to this HDF5 file")(
      "smallest-only",
      "with --counterexamples: only the smallest per statement, quantizer and label (as listed "
      "in the markdown report)")(
      "replay", po::value(&replay_spec),
      "re-check stored counterexamples: FILE.h5[:/counterexamples/NAME] or a --json report")(
      "verbose", "print every configuration")(
      "progress", "print each case as it finishes (stderr)")("quiet,q", "no progress bar");
  po::variables_map vm;
  if (!parse_command_line("prove",
                          "[--quick|--full] [--statement ID] [--json FILE] [--report FILE.md] "
                          "[--counterexamples FILE.h5] [--quiet] | --replay FILE",
                          args, opts, {}, vm))
    return 0;
  if (vm.count("replay")) return replay_file(replay_spec);
  if (vm.count("quick") && vm.count("full"))
    throw Error("prove: --quick and --full exclude each other");
  std::vector<std::string> inputs = models;
  if (!weights_spec.empty()) inputs.push_back(io::parse_tensor_spec(weights_spec).file);
  for (const auto* p : {&json_path, &report_path, &store_path})
    if (!p->empty()) {
      io::check_output_path(*p);
      io::check_output_not_input(*p, inputs);
      for (const auto* q : {&json_path, &report_path, &store_path})
        if (q != p && *q == *p)
          throw Error(*p + ": named by two of --json, --report and --counterexamples");
    }

  RunOptions options;
  options.command = "interplay prove";
  for (const auto& a : args) options.command += " " + a;
  if (vm.count("full")) options.mode = "full", options.budget = Budget::full();
  options.statements = statements;
  options.filter = {quantizers, sparsifiers, roundings, layouts};
  options.seed = seed;
  options.model.models = models;
  options.model.pool_seeds = vm.count("model-seeds") > 0;
  if (options.model.pool_seeds && models.size() < 2)
    throw Error("--model-seeds: give two or more --model files (the seeds)");
  options.model.test_images = vm.count("model-images") ? model_images : vm.count("full") ? 0 : 1000;
  options.progress = vm.count("progress") > 0;
  options.bar = !options.progress && !vm.count("quiet");
#ifdef _OPENMP
  options.threads = threads > 0 ? threads : omp_get_max_threads();
#else
  options.threads = threads > 0 ? threads : 1;
#endif
  options.model.threads = options.threads;
  WeightSource weights;
  if (!weights_spec.empty()) {
    weights = load_weights(weights_spec);
    options.weights = &weights;
  }
  const RunReport report = run_checks(options);
  print_summary(report, std::cout, vm.count("verbose") > 0);
  if (!json_path.empty()) write_text(json_path, report_json(report).dump(1) + "\n");
  if (!report_path.empty()) write_text(report_path, report_markdown(report));
  if (!store_path.empty())
    write_counterexamples(store_path, vm.count("smallest-only") ? smallest_counterexamples(report)
                                                                : all_counterexamples(report));
  return report.passed() ? 0 : kChecksFailed;
}

}  // namespace interplay::cli
