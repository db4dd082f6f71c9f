// run_experiment composes the pieces of a run: the checks that come before
// any file exists, resume (resume.hpp), the evaluators per input kind
// (evaluators.hpp), a scheduler (scheduler.hpp: threads; mpi_scheduler.hpp:
// ranks) and the sink (result_sink.hpp: journal + atomic HDF5 file).
#include "experiment/runner.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <iostream>
#include <memory>
#include <sstream>
#include <thread>

#include "core/error.hpp"
#include "experiment/evaluators.hpp"
#include "experiment/interrupt.hpp"
#include "experiment/journal.hpp"
#include "experiment/model_layers.hpp"
#include "experiment/mpi_scheduler.hpp"
#include "experiment/result_sink.hpp"
#include "experiment/resume.hpp"
#include "experiment/run_lock.hpp"
#include "experiment/scheduler.hpp"
#include "experiment/sweep.hpp"
#include "io/atomic_output.hpp"

namespace interplay::experiment {
namespace {

bool file_exists(const std::string& p) {
  struct stat st {};
  return ::stat(p.c_str(), &st) == 0;
}

// Checks on the output that need no data: a writable path, not an input.
std::string checked_output(const ExperimentConfig& cfg, const RunOptions& options) {
  const std::string output = options.output.empty() ? cfg.output : options.output;
  if (output.empty()) throw Error("no output file: give --output FILE or \"output\" in the config");
  io::check_output_path(output);
  std::vector<std::string> read_files{cfg.file};
  for (const auto& in : cfg.inputs) {
    read_files.push_back(in.file);
    if (in.model) read_files.push_back(in.model->weights);
    if (in.model_layer) read_files.push_back(in.model_layer->model->weights);
    for (const auto* r : {&in.own_activations, &in.calibration_x, &in.calibration_h})
      if (*r) read_files.push_back((*r)->file);
  }
  for (const auto& a : cfg.activations) read_files.push_back(a.file);
  io::check_output_not_input(output, read_files);
  return output;
}

}  // namespace

std::string describe_points(const ExperimentConfig& cfg, const std::vector<Point>& points) {
  std::ostringstream os;
  os << "index\tid\tinput\tseed\tactivation\torder\tsparsity\tformat\tpipeline\n";
  for (const auto& p : points) {
    const InputInstance& in = cfg.inputs[p.input];
    os << p.index << "\t" << p.id << "\t" << in.name << "\t"
       << (in.seed ? std::to_string(*in.seed) : "-") << "\t"
       << (activation_label(p, cfg).empty() ? "-" : activation_label(p, cfg)) << "\t" << p.order
       << "\t" << (p.sparsity.empty() ? "-" : p.sparsity) << "\t"
       << (p.format.empty() ? "-" : p.format) << "\t" << p.pipeline->label() << "\n";
  }
  os << points.size() << " points\n";
  return os.str();
}

RunSummary run_experiment(const ExperimentConfig& cfg, const std::vector<Point>& points,
                          const RunOptions& options) {
  RunSummary summary;
  if (mpi::rank() > 0) {  // an MPI worker: rank 0 checks, schedules and writes
    mpi::run_worker(cfg, points, options.delay_ms);
    summary.worker = true;
    return summary;
  }
  // Under MPI, tells the workers to stop if any check below fails.
  mpi::PlanAnnouncer announce;
  summary.output = checked_output(cfg, options);
  const std::string& output = summary.output;
  const std::vector<ColumnDef> columns = result_columns(cfg, points);
  validate_tables(cfg, columns);

  RunLock lock(output);  // from here on we are the only writer
  const std::string jpath = Journal::path_for(output);
  const bool exists = file_exists(output) || file_exists(jpath);
  if (exists && !options.resume && !options.force)
    throw Error(output +
                ": already exists; use --resume to continue it or --force to overwrite it");
  Previous prev;
  if (options.resume && !options.force) prev = load_previous(output, cfg, points);

  // This run's share of the frozen list: all of it, or one shard.
  std::vector<std::size_t> mine;
  std::string shard;
  if (options.shard_n) {
    mine = shard_points(cfg, points, options.shard_k, options.shard_n);
    shard = std::to_string(options.shard_k) + "/" + std::to_string(options.shard_n);
  } else {
    for (const auto& p : points) mine.push_back(p.index);
  }
  // A shard's file must only ever hold its own share, or merge would find the
  // same point in two parts.
  if ((prev.had_results || prev.had_journal) && prev.shard != shard)
    throw Error(output + ": holds " +
                (prev.shard.empty() ? "an unsharded run" : "shard " + prev.shard) +
                ", this run is " + (shard.empty() ? "unsharded" : "shard " + shard) +
                " (use that shard's own --output, or --force to start over)");
  std::vector<std::size_t> todo;
  for (const std::size_t k : mine)
    if (!prev.values.count(points[k].id)) todo.push_back(k);
  summary.total = mine.size();
  summary.already_done = mine.size() - todo.size();
  if (todo.empty() && prev.had_results && !prev.had_journal) return summary;  // nothing to do

  // Rank 0 of an MPI job only checks (and trains missing models): the
  // workers generate and evaluate, so it neither generates inputs nor keeps
  // what it read.
  auto evaluators = std::make_unique<const PointEvaluators>(
      cfg, points, todo,
      [&](const std::string& msg) {
        if (!options.quiet) std::cerr << "interplay run: " << msg << "\n";
      },
      mpi::active());
  evaluators->check_pipelines_fit(todo);
  if (mpi::active()) evaluators.reset();
  remove_stale_temporaries(output);
  RunInfo info;
  info.config = cfg.effective;
  info.config_file = cfg.file;
  info.host = host_name();
  info.start_time = prev.start_time.empty() ? now_iso8601() : prev.start_time;
  info.runs = prev.runs + 1;
  info.points_total = std::int64_t(mine.size());
  info.shard = shard;
  const unsigned threads =
      options.threads ? options.threads : std::max(1u, std::thread::hardware_concurrency());
  info.threads = mpi::active() ? mpi::size() - 1 : threads;  // under MPI: worker ranks

  ResultSink sink(cfg, points, columns, output, info, std::move(prev.values), mine.size(),
                  options.quiet, options.flush_seconds);
  if (options.force && file_exists(output)) std::remove(output.c_str());
  if (mpi::active()) {
    // Model points first: dynamic hand-out balances best when the longest
    // jobs start early. The file's rows follow the point list either way.
    std::stable_partition(todo.begin(), todo.end(),
                          [&](std::size_t k) { return bool(cfg.inputs[points[k].input].model); });
    announce.go(points, todo);  // only now: every check and file before it succeeded
  }

  InterruptGuard interrupt;
  ScheduleOptions so;
  so.threads = threads;
  so.delay_ms = options.delay_ms;
  so.quiet = options.quiet;
  const ScheduleOutcome outcome =
      mpi::active()
          ? mpi::run_root(points, todo, sink, so)
          : run_threads(
                points, todo, [&](const Point& p) { return evaluators->evaluate(p); }, sink, so);
  summary.ran = outcome.finished;
  if (outcome.signal && outcome.error.empty()) {
    sink.save_partial();
    throw Interrupted(
        std::string(signal_name(outcome.signal)) +
            (mpi::active() ? " (under mpirun: a rank ended or the job was stopped)" : "") + ": " +
            std::to_string(summary.already_done + outcome.finished) + " of " +
            std::to_string(mine.size()) + " points are saved in " + output +
            "; continue with the same command and --resume",
        outcome.signal);
  }
  if (!outcome.error.empty()) {
    if (sink.unflushed()) sink.save_partial();
    throw Error(outcome.error +
                " (finished points are kept; fix the cause and rerun with --resume)");
  }
  sink.save_complete();
  return summary;
}

std::pair<unsigned, unsigned> parse_shard(const std::string& text) {
  const auto slash = text.find('/');
  auto number = [&](const std::string& s) -> unsigned long {
    if (s.empty() || s.size() > 9 || s.find_first_not_of("0123456789") != std::string::npos)
      return 0;
    return std::stoul(s);
  };
  const unsigned long k = slash == std::string::npos ? 0 : number(text.substr(0, slash));
  const unsigned long n = slash == std::string::npos ? 0 : number(text.substr(slash + 1));
  if (k == 0 || n == 0 || k > n)
    throw Error("--shard: expected K/N with 1 <= K <= N (e.g. 2/3), got '" + text + "'");
  return {unsigned(k), unsigned(n)};
}

}  // namespace interplay::experiment
