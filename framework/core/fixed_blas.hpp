#pragma once
// BLAS level-3 products whose float32 results do not depend on the thread
// count. OpenBLAS partitions a multi-threaded SGEMM/SSYRK differently from a
// single-threaded one and the last bits change (measured on this machine:
// sgemm 256x896x128 and ssyrk 1024x1024 over 2048 rows, 1 vs 2 threads), which
// SparseGPT's OBS updates carried into every kept weight. Here OpenBLAS runs
// on one thread and the work is split with OpenMP over tiles whose size is
// fixed, so every element comes from the same single-threaded call whatever
// the thread count.
#include <cstddef>

namespace interplay {

// Holds OpenBLAS at one thread while alive (a no-op when it already is, as in
// the experiment runner's workers, or when another BLAS is linked).
class SingleThreadedBlas {
 public:
  SingleThreadedBlas();
  ~SingleThreadedBlas();
  SingleThreadedBlas(const SingleThreadedBlas&) = delete;
  SingleThreadedBlas& operator=(const SingleThreadedBlas&) = delete;

 private:
  int before_ = 0;
};

// Row-major C[m, n] = alpha A[m, k] B[k, n] + beta C, in slabs of rows.
void fixed_sgemm(std::size_t m, std::size_t n, std::size_t k, float alpha, const float* a,
                 std::size_t lda, const float* b, std::size_t ldb, float beta, float* c,
                 std::size_t ldc);

// Row-major upper triangle of C[d, d] += A^T A for A [rows, d], in tiles.
void fixed_syrk_upper(std::size_t d, std::size_t rows, const float* a, std::size_t lda, float* c,
                      std::size_t ldc);

}  // namespace interplay
