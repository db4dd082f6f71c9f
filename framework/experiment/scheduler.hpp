#pragma once
// Which points run, in what order, and by which worker. ThreadScheduler hands
// the points out in list order to `threads` worker threads (each runs one
// point at a time, kernels single-threaded inside it); the calling thread owns
// the sink: it journals what the workers finish, rewrites the results file
// when due, and watches for SIGINT/SIGTERM. The MPI scheduler
// (mpi_scheduler.hpp) does the same job across processes.
#include <functional>
#include <string>
#include <vector>

#include "experiment/config.hpp"
#include "experiment/result_sink.hpp"

namespace interplay::experiment {

using EvaluateFn = std::function<std::vector<double>(const Point&)>;

struct ScheduleOutcome {
  std::size_t finished = 0;  // points recorded in the sink by this run
  std::string error;         // the first point that failed, "" if none
  int signal = 0;            // SIGINT/SIGTERM received, 0 if none
};

struct ScheduleOptions {
  unsigned threads = 1;
  unsigned delay_ms = 0;  // sleep after each point (to test interruption)
  bool quiet = false;
};

// Runs `todo` (indices into `points`). A failing point stops the hand-out;
// points already running finish and are recorded. An exception from the sink
// (a full disk) joins the workers and propagates.
ScheduleOutcome run_threads(const std::vector<Point>& points, const std::vector<std::size_t>& todo,
                            const EvaluateFn& evaluate, ResultSink& sink,
                            const ScheduleOptions& options);

// The shard rule of `--shard K/N` (1 <= K <= N): which points of the frozen
// list belong to share K. Points are dealt in list order, each to the share
// with the least accumulated cost so far (ties: the lowest K); a model point
// costs kModelPointCost, a tensor point 1. Depends only on the point list, so
// every share, on every host and in every resume, agrees.
inline constexpr double kModelPointCost = 1000.0;
std::vector<std::size_t> shard_points(const ExperimentConfig& cfg, const std::vector<Point>& points,
                                      unsigned k, unsigned n);

}  // namespace interplay::experiment
