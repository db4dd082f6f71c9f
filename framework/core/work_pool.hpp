#pragma once
// Independent jobs 0..n-1 on plain threads: the calling thread and threads-1
// others take the next index in order until none is left. The first exception
// stops the hand-out; jobs already running finish, then it is rethrown.
// Plain threads, not an OpenMP team: the plugins open (inactive) OpenMP
// regions on every call, which costs several times more when nested inside an
// active team than from a thread of its own.
#include <atomic>
#include <cstddef>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace interplay {

template <class Job>
void run_jobs(std::size_t n, int threads, const Job& job) {
  std::atomic<std::size_t> next{0};
  std::atomic<bool> failed{false};
  std::exception_ptr failure;
  std::mutex lock;
  const auto worker = [&] {
    for (std::size_t i = next++; i < n && !failed; i = next++) {
      try {
        job(i);
      } catch (...) {
        std::lock_guard<std::mutex> g(lock);
        if (!failure) failure = std::current_exception();
        failed = true;
      }
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();
  if (failure) std::rethrow_exception(failure);
}

}  // namespace interplay
