#include "experiment/mpi_scheduler.hpp"

#include <unistd.h>

#include <cstdlib>

#include "core/error.hpp"

#ifdef INTERPLAY_WITH_MPI
#include <mpi.h>
#include <omp.h>

#include <chrono>
#include <cstdint>
#include <iostream>
#include <memory>
#include <thread>

#include "experiment/evaluators.hpp"
#include "experiment/interrupt.hpp"

extern "C" void openblas_set_num_threads(int) __attribute__((weak));
#endif

namespace interplay::experiment::mpi {
namespace {

int g_rank = 0, g_size = 1;

}  // namespace

int rank() {
  return g_rank;
}
int size() {
  return g_size;
}

#ifndef INTERPLAY_WITH_MPI

bool launched_without_support() {
  const char* n = std::getenv("OMPI_COMM_WORLD_SIZE");
  if (!n) n = std::getenv("PMI_SIZE");
  return n && std::atoi(n) > 1;
}
Session::Session() = default;
Session::~Session() = default;
void protocol_done() {}
PlanAnnouncer::~PlanAnnouncer() = default;
void PlanAnnouncer::go(const std::vector<Point>&, const std::vector<std::size_t>&) {}
ScheduleOutcome run_root(const std::vector<Point>&, const std::vector<std::size_t>&, ResultSink&,
                         const ScheduleOptions&) {
  throw Error("internal: MPI scheduler in a build without INTERPLAY_MPI");
}
void run_worker(const ExperimentConfig&, const std::vector<Point>&, unsigned) {
  throw Error("internal: MPI worker in a build without INTERPLAY_MPI");
}

#else

namespace {

// Open MPI, MPICH/Hydra and PMIx launchers all set one of these.
bool started_by_launcher() {
  for (const char* v : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK"})
    if (std::getenv(v)) return true;
  return false;
}

bool g_initialised = false;
bool g_clean = false;  // the protocol ended on this rank: MPI_Finalize will not block

enum Tag : int { kReady = 1, kResult = 2, kError = 3, kWork = 4, kStop = 5 };

// Points a worker holds at once: one running, one queued behind it, so a
// worker never waits for rank 0's answer between two points.
constexpr int kInFlight = 2;

// Every rank expands the config itself; this catches a different config (or
// input file) on another host before any point is run.
std::string points_hash(const std::vector<Point>& points) {
  json ids = json::array();
  for (const auto& p : points) ids.push_back(p.id);
  return stable_id(ids);
}

std::string where_am_i() {
  char host[256] = {0};
  ::gethostname(host, sizeof host - 1);
  return "rank " + std::to_string(g_rank) + " on " + host;
}

// Open MPI's blocking calls spin on a core; rank 0 and waiting workers poll
// with a short sleep instead, so the evaluating ranks keep the cores.
void wait_for_message(int source, MPI_Status& st, const std::function<bool()>& keep_waiting) {
  for (;;) {
    int flag = 0;
    MPI_Iprobe(source, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &st);
    if (flag || !keep_waiting()) return;
    std::this_thread::sleep_for(std::chrono::microseconds(500));
  }
}

}  // namespace

bool launched_without_support() {
  return false;
}

Session::Session() {
  if (!started_by_launcher()) return;
  int provided = 0;
  MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided);
  MPI_Comm_rank(MPI_COMM_WORLD, &g_rank);
  MPI_Comm_size(MPI_COMM_WORLD, &g_size);
  g_initialised = true;
}

Session::~Session() {
  if (g_initialised && (g_clean || g_size == 1)) MPI_Finalize();
}

void protocol_done() {
  g_clean = true;
}

void PlanAnnouncer::go(const std::vector<Point>& points, const std::vector<std::size_t>& todo) {
  if (!active()) return;
  int status = 1;
  MPI_Bcast(&status, 1, MPI_INT, 0, MPI_COMM_WORLD);
  std::uint64_t n = todo.size();
  MPI_Bcast(&n, 1, MPI_UINT64_T, 0, MPI_COMM_WORLD);
  std::vector<std::uint64_t> idx(todo.begin(), todo.end());
  MPI_Bcast(idx.data(), int(n), MPI_UINT64_T, 0, MPI_COMM_WORLD);
  std::string hash = points_hash(points);
  MPI_Bcast(hash.data(), int(hash.size()), MPI_CHAR, 0, MPI_COMM_WORLD);
  sent_ = true;
}

PlanAnnouncer::~PlanAnnouncer() {
  if (!active() || sent_) return;
  int status = 0;  // stop: rank 0 failed its checks or has nothing to do
  MPI_Bcast(&status, 1, MPI_INT, 0, MPI_COMM_WORLD);
  g_clean = true;
}

ScheduleOutcome run_root(const std::vector<Point>& points, const std::vector<std::size_t>& todo,
                         ResultSink& sink, const ScheduleOptions& options) {
  (void)options;  // workers sleep delay_ms themselves; the signal message ignores --quiet
  ScheduleOutcome out;
  std::size_t next = 0;
  int workers = g_size - 1;
  std::vector<int> in_flight(std::size_t(g_size), 0);  // points handed to each rank, not back
  bool stop = false;
  const std::size_t nvalues = sink.value_count();
  std::vector<double> buf;
  while (workers > 0) {
    if (const int sig = InterruptGuard::signal_received()) {
      // Under mpirun a signal usually means a rank died and the job is being
      // torn down: waiting for the other ranks could block until SIGKILL.
      out.signal = sig;
      // Said now and in full: mpirun may kill this rank, or drop its last
      // output, before the usual message at the end gets out.
      std::cerr << "\ninterplay run: " << signal_name(sig)
                << " (under mpirun: a rank ended or the job was stopped): " << sink.done()
                << " finished points are kept in " << sink.output()
                << " and its journal; continue with the same command and --resume\n";
      return out;
    }
    MPI_Status st;
    wait_for_message(MPI_ANY_SOURCE, st, [&] {
      sink.flush_if_due();
      return InterruptGuard::signal_received() == 0;
    });
    if (InterruptGuard::signal_received()) continue;
    const int from = st.MPI_SOURCE;
    if (st.MPI_TAG == kResult) {
      int count = 0;
      MPI_Get_count(&st, MPI_DOUBLE, &count);
      buf.resize(std::size_t(count));
      MPI_Recv(buf.data(), count, MPI_DOUBLE, from, kResult, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
      if (std::size_t(count) != nvalues + 1 || !(buf[0] >= 0 && buf[0] < double(points.size())))
        throw Error("rank " + std::to_string(from) + " sent " + std::to_string(count) +
                    " numbers for a point, expected an index and " + std::to_string(nvalues) +
                    " values");
      const std::size_t index = std::size_t(buf[0]);
      sink.record({FinishedPoint{index, std::vector<double>(buf.begin() + 1, buf.end())}});
      ++out.finished;
    } else if (st.MPI_TAG == kError) {
      int count = 0;
      MPI_Get_count(&st, MPI_CHAR, &count);
      std::string text(std::size_t(count), '\0');
      MPI_Recv(text.data(), count, MPI_CHAR, from, kError, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
      if (out.error.empty()) out.error = text;
      stop = true;
    } else {
      MPI_Recv(nullptr, 0, MPI_BYTE, from, st.MPI_TAG, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    }
    // READY earns a worker kInFlight points, every RESULT or ERROR one more;
    // STOP goes out once it holds none, so nothing is in flight after it.
    const int earned = st.MPI_TAG == kReady ? kInFlight : 1;
    if (st.MPI_TAG != kReady && in_flight[std::size_t(from)] > 0) --in_flight[std::size_t(from)];
    for (int i = 0; i < earned && !stop && next < todo.size(); ++i) {
      const std::uint64_t k = todo[next++];
      MPI_Send(&k, 1, MPI_UINT64_T, from, kWork, MPI_COMM_WORLD);
      ++in_flight[std::size_t(from)];
    }
    if (in_flight[std::size_t(from)] == 0) {
      MPI_Send(nullptr, 0, MPI_BYTE, from, kStop, MPI_COMM_WORLD);
      --workers;
    }
    sink.flush_if_due();
  }
  g_clean = true;
  return out;
}

void run_worker(const ExperimentConfig& cfg, const std::vector<Point>& points, unsigned delay_ms) {
  int status = 0;
  MPI_Bcast(&status, 1, MPI_INT, 0, MPI_COMM_WORLD);
  if (!status) {  // rank 0 reports why
    g_clean = true;
    return;
  }
  std::uint64_t n = 0;
  MPI_Bcast(&n, 1, MPI_UINT64_T, 0, MPI_COMM_WORLD);
  std::vector<std::uint64_t> idx(n);
  MPI_Bcast(idx.data(), int(n), MPI_UINT64_T, 0, MPI_COMM_WORLD);
  std::string hash(16, '\0');
  MPI_Bcast(hash.data(), 16, MPI_CHAR, 0, MPI_COMM_WORLD);

  if (openblas_set_num_threads) openblas_set_num_threads(1);
  omp_set_num_threads(1);
  std::string error;
  std::unique_ptr<PointEvaluators> evaluators;
  if (hash != points_hash(points)) {
    error = where_am_i() +
            ": its config expands to other points than rank 0's (a different "
            "config or input file on this host?)";
  } else {
    try {
      const std::vector<std::size_t> todo(idx.begin(), idx.end());
      evaluators = std::make_unique<PointEvaluators>(cfg, points, todo, [](const std::string&) {});
    } catch (const std::exception& e) {
      error = where_am_i() + ": " + e.what();
    }
  }
  auto send_error = [](const std::string& text) {
    MPI_Send(text.data(), int(text.size()), MPI_CHAR, 0, kError, MPI_COMM_WORLD);
  };
  if (!error.empty())
    send_error(error);
  else
    MPI_Send(nullptr, 0, MPI_BYTE, 0, kReady, MPI_COMM_WORLD);
  std::vector<double> msg;
  for (;;) {
    MPI_Status st;
    wait_for_message(0, st, [] { return true; });
    if (st.MPI_TAG == kStop) {
      MPI_Recv(nullptr, 0, MPI_BYTE, 0, kStop, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
      break;
    }
    std::uint64_t k = 0;
    MPI_Recv(&k, 1, MPI_UINT64_T, 0, kWork, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    try {
      const std::vector<double> v = evaluators->evaluate(points.at(k));
      msg.assign(1, double(k));
      msg.insert(msg.end(), v.begin(), v.end());
      if (delay_ms) std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
      MPI_Send(msg.data(), int(msg.size()), MPI_DOUBLE, 0, kResult, MPI_COMM_WORLD);
    } catch (const std::exception& e) {
      send_error(where_am_i() + ": " + e.what());
    }
  }
  g_clean = true;
}

#endif

}  // namespace interplay::experiment::mpi
