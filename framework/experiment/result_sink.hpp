#pragma once
// Where finished points go: the journal first (appended and fsync'ed, so a
// SIGKILL loses nothing), then memory; the HDF5 results file is rebuilt from
// memory and replaced atomically every `flush_seconds` and at the end, when
// the journal is removed. Only one thread (the scheduler's main loop, or rank
// 0 under MPI) talks to the sink.
#include <chrono>
#include <string>
#include <vector>

#include "experiment/config.hpp"
#include "experiment/journal.hpp"
#include "experiment/progress.hpp"
#include "experiment/result_file.hpp"
#include "experiment/resume.hpp"

namespace interplay::experiment {

struct FinishedPoint {
  std::size_t point;           // index into the frozen point list
  std::vector<double> values;  // cfg.point_value_count(): value columns, then replicates
};

std::string now_iso8601();
std::string host_name();

class ResultSink {
 public:
  // `done` holds the points finished before (carried into the new journal);
  // `total` is the number of points this run is responsible for (for progress).
  ResultSink(const ExperimentConfig& cfg, const std::vector<Point>& points,
             std::vector<ColumnDef> columns, std::string output, RunInfo info, ValuesById done,
             std::size_t total, bool quiet, double flush_seconds);

  // Journals `batch` durably, then keeps it for the next results file.
  void record(std::vector<FinishedPoint> batch);
  // Rewrites the results file when points arrived since the last write and
  // `flush_seconds` have passed.
  void flush_if_due();
  void save_partial();   // an incomplete results file (the journal stays)
  void save_complete();  // the complete file; the journal is removed

  std::size_t recorded() const { return recorded_; }  // by this run
  std::size_t unflushed() const { return unflushed_; }
  std::size_t done() const { return done_.size(); }
  const std::string& output() const { return output_; }
  std::size_t value_count() const { return cfg_.point_value_count(); }

 private:
  void materialise(bool complete);

  const ExperimentConfig& cfg_;
  const std::vector<Point>& points_;
  std::vector<ColumnDef> columns_;
  std::string output_;
  RunInfo info_;
  ValuesById done_;
  std::size_t already_done_, recorded_ = 0, unflushed_ = 0;
  double flush_seconds_;
  Journal journal_;
  Progress progress_;
  std::chrono::steady_clock::time_point last_flush_;
};

}  // namespace interplay::experiment
