#pragma once
// Runs the frozen point list of an experiment.
//
// Points run in parallel on `threads` worker threads; inside a point the
// kernels run single-threaded (OpenMP and OpenBLAS set to one thread per
// worker), and every kernel is thread-count free, so results are identical
// for any thread count. Finished points are appended to the journal
// (fsync'ed) at once and the HDF5 file is rewritten atomically every
// `flush_seconds` and at the end; then the journal is removed. --resume
// reads the journal and/or the HDF5 file, skips finished point ids and never
// duplicates a row. Everything that can be checked is checked before any
// file is created.
//
// run_experiment only composes: resume.hpp (what a previous run finished),
// evaluators.hpp (one evaluator per input kind), scheduler.hpp (threads, and
// the --shard share) or mpi_scheduler.hpp (under mpirun: rank 0 schedules
// and writes, the other ranks evaluate), and result_sink.hpp (journal +
// atomic HDF5 file).
#include <string>
#include <vector>

#include "experiment/config.hpp"

namespace interplay::experiment {

struct RunOptions {
  std::string output;
  bool resume = false, force = false, quiet = false;
  unsigned threads = 0;        // 0: all cores
  double flush_seconds = 2.0;  // how often the HDF5 file is rewritten
  unsigned delay_ms = 0;       // sleep after each point (to test interruption)
  // --shard K/N: only share K of N of the points (scheduler.hpp, shard_points);
  // 0/0 runs every point.
  unsigned shard_k = 0, shard_n = 0;
};

struct RunSummary {
  std::size_t total = 0, already_done = 0, ran = 0;  // of this run's share
  std::string output;
  bool worker = false;  // an MPI worker rank: rank 0 reports
};

RunSummary run_experiment(const ExperimentConfig& cfg, const std::vector<Point>& points,
                          const RunOptions& options);

// "K/N" -> {K, N}; errors name --shard.
std::pair<unsigned, unsigned> parse_shard(const std::string& text);

// One line per point ("index id input seed activation order sparsity format
// pipeline"), for --dry-run.
std::string describe_points(const ExperimentConfig& cfg, const std::vector<Point>& points);

}  // namespace interplay::experiment
