#pragma once
// `mpirun -np N interplay run CONFIG` (a build with INTERPLAY_MPI=ON): rank 0
// is the scheduler and the sink, ranks 1..N-1 evaluate points.
//
// Protocol (all point-to-point on MPI_COMM_WORLD, only rank 0 and one worker
// in each exchange):
//   1. rank 0 checks everything a single-process run checks (lock, resume,
//      inputs, pipelines) and broadcasts the plan: go or stop, the indices of
//      the points still to run and a hash of the whole point list (a worker
//      whose config expands differently refuses to work);
//   2. each worker loads its inputs, then sends READY (or ERROR);
//   3. rank 0 answers READY with two WORK(point index) messages and every
//      RESULT(index, values) or ERROR(text) with one more, so each worker has
//      one point running and one queued and never waits for rank 0; when
//      nothing is left to hand out and the worker holds no point, STOP.
// Work is handed out dynamically as workers finish, model points first (they
// cost ~1000x a tensor point, so starting them early shortens the tail). Rank 0 journals every
// RESULT before answering, so `--resume` after any failure continues from every point any rank
// finished, never twice.
//
// A worker that dies ends the job: mpirun then stops every rank (SIGTERM),
// and rank 0 saves what it has and says how to resume. A point that fails on
// a worker stops the hand-out; the others finish their points; rank 0 reports
// the error naming the rank and host.
#include <vector>

#include "experiment/config.hpp"
#include "experiment/result_sink.hpp"
#include "experiment/scheduler.hpp"

namespace interplay::experiment::mpi {

// MPI_Init when this is an INTERPLAY_MPI build started by mpirun (or another
// PMI launcher); otherwise nothing, and this process is rank 0 of 1.
// MPI_Finalize on destruction once the protocol ended on every rank; after a
// crash of a peer or a signal, finalising could block, so the process exits
// and mpirun ends the job.
class Session {
 public:
  Session();
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;
};

int rank();
int size();
inline bool active() {
  return size() > 1;
}
// Every rank ends without having exchanged anything (--dry-run): MPI_Finalize
// cannot block.
void protocol_done();

// True when started by mpirun but built without INTERPLAY_MPI.
bool launched_without_support();

// Rank 0: the plan broadcast of step 1. If go() was never called (an error or
// nothing to do), the destructor tells the workers to stop.
class PlanAnnouncer {
 public:
  PlanAnnouncer() = default;
  ~PlanAnnouncer();
  PlanAnnouncer(const PlanAnnouncer&) = delete;
  PlanAnnouncer& operator=(const PlanAnnouncer&) = delete;
  void go(const std::vector<Point>& points, const std::vector<std::size_t>& todo);

 private:
  bool sent_ = false;
};

// Rank 0: steps 2 and 3; returns like run_threads (SIGINT/SIGTERM stop at once:
// under mpirun they mean the job is being torn down).
ScheduleOutcome run_root(const std::vector<Point>& points, const std::vector<std::size_t>& todo,
                         ResultSink& sink, const ScheduleOptions& options);

// Ranks 1..N-1: the whole worker side.
void run_worker(const ExperimentConfig& cfg, const std::vector<Point>& points, unsigned delay_ms);

}  // namespace interplay::experiment::mpi
