#include "experiment/scheduler.hpp"

#include <omp.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <iostream>
#include <mutex>
#include <thread>

#include "experiment/interrupt.hpp"

// OpenBLAS's own thread pool would oversubscribe the point workers; weak, so
// another BLAS links too (and is then left alone).
extern "C" void openblas_set_num_threads(int) __attribute__((weak));

namespace interplay::experiment {

ScheduleOutcome run_threads(const std::vector<Point>& points, const std::vector<std::size_t>& todo,
                            const EvaluateFn& evaluate, ResultSink& sink,
                            const ScheduleOptions& options) {
  // Workers take points in order; the calling thread owns the journal and file.
  std::mutex mu;
  std::condition_variable cv;
  std::deque<FinishedPoint> queue;
  std::atomic<std::size_t> next{0};
  std::atomic<bool> stop{false};
  ScheduleOutcome out;
  if (openblas_set_num_threads) openblas_set_num_threads(1);
  auto worker = [&]() {
    omp_set_num_threads(1);
    for (;;) {
      const std::size_t k = next.fetch_add(1);
      if (k >= todo.size() || stop) return;
      const Point& p = points[todo[k]];
      try {
        FinishedPoint f{p.index, evaluate(p)};
        if (options.delay_ms)
          std::this_thread::sleep_for(std::chrono::milliseconds(options.delay_ms));
        std::lock_guard<std::mutex> g(mu);
        queue.push_back(std::move(f));
      } catch (const std::exception& e) {
        std::lock_guard<std::mutex> g(mu);
        if (out.error.empty()) out.error = e.what();
        stop = true;
      }
      cv.notify_one();
    }
  };
  std::vector<std::thread> pool;
  const unsigned nworkers =
      unsigned(std::min<std::size_t>(options.threads, std::max<std::size_t>(todo.size(), 1)));
  for (unsigned t = 0; t < nworkers; ++t) pool.emplace_back(worker);

  std::size_t finished = 0;
  try {
    while (finished < todo.size()) {
      if (InterruptGuard::signal_received() && !stop) {
        stop = true;  // workers finish the points they hold and take no more
        if (!options.quiet)
          std::cerr << "\ninterplay run: " << signal_name(InterruptGuard::signal_received())
                    << ": saving finished points (press Ctrl-C again to stop at once)\n";
      }
      std::vector<FinishedPoint> batch;
      {
        std::unique_lock<std::mutex> g(mu);
        cv.wait_for(g, std::chrono::milliseconds(100), [&] { return !queue.empty() || stop; });
        batch.assign(std::make_move_iterator(queue.begin()), std::make_move_iterator(queue.end()));
        queue.clear();
        if (stop && batch.empty()) break;
      }
      finished += batch.size();
      sink.record(std::move(batch));
      sink.flush_if_due();
    }
  } catch (...) {
    stop = true;
    for (auto& t : pool) t.join();
    throw;
  }
  for (auto& t : pool) t.join();
  if (!queue.empty()) {  // finished by other workers after an error: keep them
    finished += queue.size();
    sink.record(std::vector<FinishedPoint>(std::make_move_iterator(queue.begin()),
                                           std::make_move_iterator(queue.end())));
  }
  out.finished = finished;
  out.signal = InterruptGuard::signal_received();
  return out;
}

std::vector<std::size_t> shard_points(const ExperimentConfig& cfg, const std::vector<Point>& points,
                                      unsigned k, unsigned n) {
  std::vector<double> load(n, 0.0);
  std::vector<std::size_t> mine;
  for (const auto& p : points) {
    unsigned best = 0;
    for (unsigned s = 1; s < n; ++s)
      if (load[s] < load[best]) best = s;
    load[best] += cfg.inputs[p.input].model ? kModelPointCost : 1.0;
    if (best + 1 == k) mine.push_back(p.index);
  }
  return mine;
}

}  // namespace interplay::experiment
