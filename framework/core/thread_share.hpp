#pragma once
// The calling thread's contiguous share [lo, hi) of n items inside an OpenMP
// parallel region: shares are in thread order and differ by at most one, so a
// loop over them touches each item once whatever the team size.
#include <cstddef>
#include <utility>
#ifdef _OPENMP
#include <omp.h>
#endif

namespace interplay {

inline std::pair<std::size_t, std::size_t> thread_share(std::size_t n) {
#ifdef _OPENMP
  const std::size_t t = std::size_t(omp_get_thread_num()), nt = std::size_t(omp_get_num_threads());
#else
  const std::size_t t = 0, nt = 1;
#endif
  return {n * t / nt, n * (t + 1) / nt};
}

}  // namespace interplay
