#include "experiment/runner.hpp"

#include <omp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <ctime>
#include <deque>
#include <iostream>
#include <limits>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "core/calibration.hpp"
#include "core/error.hpp"
#include "experiment/interrupt.hpp"
#include "experiment/journal.hpp"
#include "experiment/point_rows.hpp"
#include "experiment/progress.hpp"
#include "experiment/result_file.hpp"
#include "experiment/run_lock.hpp"
#include "io/atomic_output.hpp"
#include "models/model_input.hpp"

// OpenBLAS's own thread pool would oversubscribe the point workers; weak, so
// another BLAS links too (and is then left alone).
extern "C" void openblas_set_num_threads(int) __attribute__((weak));

namespace interplay::experiment {
namespace {

using Values = std::map<std::string, std::vector<double>>;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

bool file_exists(const std::string& p) {
  struct stat st {};
  return ::stat(p.c_str(), &st) == 0;
}

std::string now_iso8601() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string host_name() {
  char buf[256] = {0};
  if (::gethostname(buf, sizeof buf - 1) != 0) return "unknown";
  return buf;
}

// The journal header's record of the replicates a model point appends.
json replicates_header(const ExperimentConfig& cfg) {
  if (cfg.replicate_columns.empty()) return json();
  return {{"columns", cfg.replicate_columns}, {"count", cfg.replicate_count}};
}

// Finished values from a previous run of the same output: the HDF5 file
// (complete or periodic) and the journal (everything since).
struct Previous {
  Values values;
  std::string start_time;
  std::int64_t runs = 0;
  bool had_journal = false, had_results = false;
};

Previous load_previous(const std::string& output, const ExperimentConfig& cfg,
                       const std::vector<Point>& points) {
  Previous prev;
  const auto& metric_cols = cfg.value_columns;
  if (file_exists(output)) {
    LoadedResults r = read_results(output);
    prev.had_results = true;
    prev.start_time = r.info.start_time;
    prev.runs = r.info.runs;
    const Column& ids = r.table.at("id");
    std::vector<const Column*> cols;
    for (const auto& m : metric_cols) {
      const Column* c = r.table.find(m);
      if (!c || c->text)
        throw Error(output + ": has no metric column '" + m +
                    "'; it was written by a different config "
                    "(use a new --output, or --force to start over)");
      cols.push_back(c);
    }
    std::vector<const Column*> reps;
    for (const auto& m : cfg.replicate_columns) {
      const Column* c = r.table.find(m);
      if (!c || c->replicates.empty() || r.table.replicate_count() != cfg.replicate_count)
        throw Error(output + ": has no " + std::to_string(cfg.replicate_count) +
                    " test-set replicates of '" + m +
                    "'; it was written by a different config or version "
                    "(use a new --output, or --force to start over)");
      reps.push_back(c);
    }
    for (std::size_t row = 0; row < r.table.rows(); ++row) {
      std::vector<double> v;
      for (const Column* c : cols) v.push_back(c->numbers[row]);
      for (const Column* c : reps) {
        const double* x = r.table.replicates(*c, row);
        v.insert(v.end(), x, x + cfg.replicate_count);
      }
      prev.values[ids.strings[row]] = std::move(v);
    }
  }
  const std::string jpath = Journal::path_for(output);
  if (file_exists(jpath)) {
    JournalContents j = Journal::read(jpath);
    prev.had_journal = true;
    if (j.header.value("columns", json::array()) != json(metric_cols) ||
        j.header.value("replicates", json()) != replicates_header(cfg))
      throw Error(
          jpath + ": records metric columns " + j.header.value("columns", json::array()).dump() +
          (j.header.contains("replicates") ? " with replicates" : "") + ", this config has " +
          json(metric_cols).dump() + (cfg.replicate_columns.empty() ? "" : " with replicates") +
          " (use a new --output, or --force)");
    prev.start_time = j.header.value("start_time", prev.start_time);
    prev.runs = std::max(prev.runs, j.header.value("runs", std::int64_t(0)));
    std::map<std::string, bool> known;
    for (const auto& p : points) known[p.id] = true;
    for (auto& e : j.entries) {
      if (!known.count(e.id))
        throw Error(jpath + ":" + std::to_string(e.line) + ": point '" + e.id +
                    "' is not produced by this config (was the config edited? use a new "
                    "--output, or --force to start over)");
      prev.values[e.id] = std::move(e.values);
    }
  }
  std::map<std::string, bool> known;
  for (const auto& p : points) known[p.id] = true;
  std::size_t stale = 0;
  for (const auto& [id, v] : prev.values) stale += !known.count(id);
  if (stale)
    throw Error(output + ": holds " + std::to_string(stale) +
                " point(s) that this config does not produce; it was written by a different config "
                "(use a new --output, or --force to start over)");
  return prev;
}

// Every (pipeline, input shape) pair is tried once on a zero tensor of that
// shape before any output exists: an axis the input lacks or a block that does
// not divide it fails now with the point named, not at point 15 after the
// journal was created (which would then make --resume refuse the fixed config).
void check_pipelines_fit(const ExperimentConfig& cfg, const std::vector<Point>& points,
                         const std::vector<std::size_t>& todo, const std::vector<Tensor>& inputs) {
  std::set<std::pair<std::string, Shape>> tried;
  std::map<Shape, Tensor> zeros;
  for (const std::size_t k : todo) {
    const Point& p = points[k];
    if (cfg.inputs[p.input].model)
      check_model_pipeline(*cfg.inputs[p.input].model, *p.pipeline,
                           "point " + std::to_string(p.index));
    // A model study checks its own layers; calibrated pipelines are fitted per
    // point on their calibration data and check their shapes when they run.
    if (cfg.inputs[p.input].model || p.pipeline->needs_calibration()) continue;
    const Shape& shape = inputs[p.input].shape;
    if (!tried.insert({p.pipeline->to_json().dump(), shape}).second) continue;
    auto z = zeros.find(shape);
    if (z == zeros.end()) z = zeros.emplace(shape, Tensor(shape)).first;
    try {
      (void)p.pipeline->apply(z->second);
    } catch (const std::exception& e) {
      throw Error("point " + std::to_string(p.index) + " (input '" + cfg.inputs[p.input].name +
                  "', shape " + shape_string(shape) + ", " + p.pipeline->label() +
                  "): " + e.what());
    }
  }
}

struct Finished {
  std::size_t point;
  std::vector<double> values;
};

}  // namespace

std::string describe_points(const ExperimentConfig& cfg, const std::vector<Point>& points) {
  std::ostringstream os;
  os << "index\tid\tinput\tseed\tactivation\torder\tsparsity\tformat\tpipeline\n";
  for (const auto& p : points) {
    const InputInstance& in = cfg.inputs[p.input];
    os << p.index << "\t" << p.id << "\t" << in.name << "\t"
       << (in.seed ? std::to_string(*in.seed) : "-") << "\t"
       << (p.activation ? cfg.activations[*p.activation].name : "-") << "\t" << p.order << "\t"
       << (p.sparsity.empty() ? "-" : p.sparsity) << "\t" << (p.format.empty() ? "-" : p.format)
       << "\t" << p.pipeline->label() << "\n";
  }
  os << points.size() << " points\n";
  return os.str();
}

RunSummary run_experiment(const ExperimentConfig& cfg, const std::vector<Point>& points,
                          const RunOptions& options) {
  RunSummary summary;
  summary.output = options.output.empty() ? cfg.output : options.output;
  const std::string& output = summary.output;
  if (output.empty()) throw Error("no output file: give --output FILE or \"output\" in the config");
  io::check_output_path(output);
  {
    std::vector<std::string> read_files{cfg.file};
    for (const auto& in : cfg.inputs) {
      read_files.push_back(in.file);
      if (in.model) read_files.push_back(in.model->weights);
    }
    for (const auto& a : cfg.activations) read_files.push_back(a.file);
    io::check_output_not_input(output, read_files);
  }
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

  std::vector<std::size_t> todo;
  for (const auto& p : points)
    if (!prev.values.count(p.id)) todo.push_back(p.index);
  summary.total = points.size();
  summary.already_done = points.size() - todo.size();
  if (todo.empty() && prev.had_results && !prev.had_journal) return summary;  // nothing to do

  // Inputs and activations are read or generated before any output exists.
  std::vector<Tensor> inputs;
  for (const auto& in : cfg.inputs) inputs.push_back(load_input(in));
  // A model input's points run through its study (trained first if missing).
  std::vector<std::unique_ptr<ModelStudy>> studies(cfg.inputs.size());
  std::vector<std::vector<std::size_t>> slots(cfg.inputs.size());  // into value_columns
  auto slot_of = [&](const std::string& column) {
    const auto it = std::find(cfg.value_columns.begin(), cfg.value_columns.end(), column);
    if (it == cfg.value_columns.end()) throw Error("internal: no value column '" + column + "'");
    return std::size_t(it - cfg.value_columns.begin());
  };
  for (std::size_t i = 0; i < cfg.inputs.size(); ++i) {
    std::vector<std::string> cols = cfg.metrics.columns();
    if (cfg.inputs[i].model) {
      const bool needed = std::any_of(todo.begin(), todo.end(),
                                      [&](std::size_t k) { return points[k].input == i; });
      if (!needed) continue;
      studies[i] = open_model_study(*cfg.inputs[i].model, [&](const std::string& msg) {
        if (!options.quiet) std::cerr << "interplay run: " << msg << "\n";
      });
      cols = studies[i]->columns();
    }
    for (const auto& c : cols) slots[i].push_back(slot_of(c));
  }
  std::map<std::pair<std::size_t, std::size_t>, Tensor> acts;  // (activation, features)
  for (const auto& p : points) {
    if (!p.activation) continue;
    const std::size_t features = inputs[p.input].shape.empty() ? 1 : inputs[p.input].shape.back();
    auto key = std::make_pair(*p.activation, features);
    if (!acts.count(key))
      acts.emplace(key, load_activations(cfg.activations[*p.activation], features));
  }

  // Calibrated pipelines (solver gptq/obc, wanda, sparsegpt, obc) are fitted
  // on a held-out draw of the point's generated activations, never on the X
  // the output metrics are evaluated on.
  std::map<std::pair<std::size_t, std::size_t>, Calibration> calibs;  // (activation, features)
  for (std::size_t k : todo) {
    const Point& p = points[k];
    if (studies[p.input] || !p.pipeline->needs_calibration()) continue;
    if (!p.activation)
      throw Error("point " + std::to_string(p.index) + " (" + p.pipeline->label() +
                  "): a calibrated pipeline needs the point's activations (add \"activations\")");
    const ActivationSpec& a = cfg.activations[*p.activation];
    if (!a.file.empty())
      throw Error("activations '" + a.name +
                  "': calibrated pipelines need generated "
                  "activations (a held-out draw is used for calibration)");
    const std::size_t features = inputs[p.input].shape.empty() ? 1 : inputs[p.input].shape.back();
    const auto key = std::make_pair(*p.activation, features);
    if (calibs.count(key)) continue;
    // Rows [n, n + calibration_rows) of the same generator: the same
    // distribution (the correlated generator's rotation comes from its seed),
    // samples the metrics never see. GPTQ needs n >> in: fitted on few samples it
    // overfits and loses to RTN on held-out data.
    const std::size_t n_cal = a.calibration_rows ? a.calibration_rows : a.rows;
    ActivationSpec longer = a;
    longer.rows = a.rows + n_cal;
    const Tensor both = load_activations(longer, features);
    Tensor held_out({n_cal, features});
    std::copy(both.data.begin() + std::ptrdiff_t(a.rows * features), both.data.end(),
              held_out.data.begin());
    calibs.emplace(key, Calibration::from_inputs(std::move(held_out), "activations '" + a.name +
                                                                          "' (calibration draw)"));
  }

  check_pipelines_fit(cfg, points, todo, inputs);
  remove_stale_temporaries(output);
  RunInfo info;
  info.config = cfg.effective;
  info.config_file = cfg.file;
  info.host = host_name();
  info.start_time = prev.start_time.empty() ? now_iso8601() : prev.start_time;
  info.runs = prev.runs + 1;
  info.points_total = std::int64_t(points.size());
  const unsigned threads =
      options.threads ? options.threads : std::max(1u, std::thread::hardware_concurrency());
  info.threads = threads;

  Values done = std::move(prev.values);
  std::vector<JournalEntry> carried;
  for (const auto& p : points)
    if (done.count(p.id)) carried.push_back({p.id, done.at(p.id)});
  json header{{"interplay_journal", 1},
              {"columns", cfg.value_columns},
              {"start_time", info.start_time},
              {"runs", info.runs},
              {"config_file", cfg.file}};
  if (!cfg.replicate_columns.empty()) header["replicates"] = replicates_header(cfg);
  Journal journal(jpath, header, carried);
  if (options.force && file_exists(output)) std::remove(output.c_str());

  // A failed write (a full disk) leaves the previous results file and the
  // journal as they were; the journal holds every finished point.
  auto materialise = [&](bool complete) {
    info.complete = complete;
    info.end_time = complete ? now_iso8601() : "";
    try {
      write_results(output, info, build_points_table(cfg, points, columns, done));
    } catch (const Error& e) {
      throw Error(std::string(e.what()) + " (" + std::to_string(done.size()) +
                  " finished points are kept in " + jpath +
                  "; free space and rerun with --resume)");
    }
  };

  // Workers take points in order; the main thread owns the journal and file.
  std::mutex mu;
  std::condition_variable cv;
  std::deque<Finished> queue;
  std::atomic<std::size_t> next{0};
  std::atomic<bool> stop{false};
  std::string error;
  if (openblas_set_num_threads) openblas_set_num_threads(1);
  auto worker = [&]() {
    omp_set_num_threads(1);
    for (;;) {
      const std::size_t k = next.fetch_add(1);
      if (k >= todo.size() || stop) return;
      const Point& p = points[todo[k]];
      try {
        std::vector<double> raw, replicates;
        if (studies[p.input]) {
          PointEvaluation e = evaluate_model_point(*studies[p.input], *p.pipeline);
          raw = std::move(e.values);
          replicates = std::move(e.replicates);
        } else {
          const Tensor& x = inputs[p.input];
          const Calibration* calib = nullptr;
          if (p.activation) {
            const auto it = calibs.find({*p.activation, x.shape.empty() ? 1 : x.shape.back()});
            if (it != calibs.end()) calib = &it->second;
          }
          const Tensor y = p.pipeline->apply(x, calib);
          MetricContext ctx;
          if (p.activation) {
            const std::size_t features = x.shape.empty() ? 1 : x.shape.back();
            ctx.activations = &acts.at({*p.activation, features});
          }
          raw = cfg.metrics.evaluate(x, y, ctx);
        }
        Finished f{p.index, std::vector<double>(cfg.point_value_count(), kNaN)};
        for (std::size_t i = 0; i < raw.size(); ++i) f.values[slots[p.input][i]] = raw[i];
        // The study's replicates are in the order of cfg.replicate_columns.
        std::copy(replicates.begin(), replicates.end(),
                  f.values.begin() + std::ptrdiff_t(cfg.value_columns.size()));
        if (options.delay_ms)
          std::this_thread::sleep_for(std::chrono::milliseconds(options.delay_ms));
        std::lock_guard<std::mutex> g(mu);
        queue.push_back(std::move(f));
      } catch (const std::exception& e) {
        std::lock_guard<std::mutex> g(mu);
        if (error.empty())
          error = "point " + std::to_string(p.index) + " (" + p.id + ", input '" +
                  cfg.inputs[p.input].name + "', " + p.pipeline->label() + "): " + e.what();
        stop = true;
      }
      cv.notify_one();
    }
  };
  std::vector<std::thread> pool;
  const unsigned nworkers =
      unsigned(std::min<std::size_t>(threads, std::max<std::size_t>(todo.size(), 1)));
  for (unsigned t = 0; t < nworkers; ++t) pool.emplace_back(worker);

  InterruptGuard interrupt;
  Progress progress(points.size(), summary.already_done, options.quiet);
  auto last_flush = std::chrono::steady_clock::now();
  std::size_t finished = 0, unflushed = 0;
  try {
    while (finished < todo.size()) {
      if (InterruptGuard::signal_received() && !stop) {
        stop = true;  // workers finish the points they hold and take no more
        if (!options.quiet)
          std::cerr << "\ninterplay run: " << signal_name(InterruptGuard::signal_received())
                    << ": saving finished points (press Ctrl-C again to stop at once)\n";
      }
      std::vector<Finished> batch;
      {
        std::unique_lock<std::mutex> g(mu);
        cv.wait_for(g, std::chrono::milliseconds(100), [&] { return !queue.empty() || stop; });
        batch.assign(std::make_move_iterator(queue.begin()), std::make_move_iterator(queue.end()));
        queue.clear();
        if (stop && batch.empty()) break;
      }
      std::vector<JournalEntry> entries;
      for (auto& f : batch) entries.push_back({points[f.point].id, f.values});
      journal.append(entries);
      for (auto& e : entries) done[e.id] = std::move(e.values);
      finished += batch.size();
      unflushed += batch.size();
      progress.update(summary.already_done + finished);
      const auto now = std::chrono::steady_clock::now();
      if (unflushed &&
          std::chrono::duration<double>(now - last_flush).count() >= options.flush_seconds) {
        materialise(false);
        last_flush = now, unflushed = 0;
      }
    }
  } catch (...) {
    stop = true;
    for (auto& t : pool) t.join();
    throw;
  }
  for (auto& t : pool) t.join();
  if (!queue.empty()) {  // finished by other workers after an error: keep them
    std::vector<JournalEntry> entries;
    for (auto& f : queue) entries.push_back({points[f.point].id, f.values});
    journal.append(entries);
    for (auto& e : entries) done[e.id] = std::move(e.values);
    finished += entries.size(), unflushed += entries.size();
  }
  summary.ran = finished;
  if (const int sig = InterruptGuard::signal_received(); sig && error.empty()) {
    materialise(false);
    throw Interrupted(std::string(signal_name(sig)) + ": " +
                          std::to_string(summary.already_done + finished) + " of " +
                          std::to_string(points.size()) + " points are saved in " + output +
                          "; continue with the same command and --resume",
                      sig);
  }
  if (!error.empty()) {
    if (unflushed) materialise(false);
    throw Error(error + " (finished points are kept; fix the cause and rerun with --resume)");
  }
  materialise(true);
  journal.remove();
  progress.finish(summary.already_done + finished);
  return summary;
}

}  // namespace interplay::experiment
