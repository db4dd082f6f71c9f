#include "core/fixed_blas.hpp"

#include <cblas.h>

#include <algorithm>
#include <cstdint>
#include <utility>
#include <vector>

extern "C" {
// Weak: another BLAS links too (and is then left alone).
void openblas_set_num_threads(int) __attribute__((weak));
int openblas_get_num_threads() __attribute__((weak));
}

namespace interplay {
namespace {

// Fixed, so results never depend on how many threads share the tiles.
constexpr std::size_t kRowSlab = 64, kTile = 128;

}  // namespace

SingleThreadedBlas::SingleThreadedBlas() {
  before_ = openblas_get_num_threads ? openblas_get_num_threads() : 0;
  if (before_ > 1 && openblas_set_num_threads) openblas_set_num_threads(1);
}

SingleThreadedBlas::~SingleThreadedBlas() {
  if (before_ > 1 && openblas_set_num_threads) openblas_set_num_threads(before_);
}

void fixed_sgemm(std::size_t m, std::size_t n, std::size_t k, float alpha, const float* a,
                 std::size_t lda, const float* b, std::size_t ldb, float beta, float* c,
                 std::size_t ldc) {
  if (m == 0 || n == 0) return;
  SingleThreadedBlas one;
  const std::int64_t slabs = std::int64_t((m + kRowSlab - 1) / kRowSlab);
#pragma omp parallel for schedule(dynamic)
  for (std::int64_t s = 0; s < slabs; ++s) {
    const std::size_t r0 = std::size_t(s) * kRowSlab, rows = std::min(kRowSlab, m - r0);
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, int(rows), int(n), int(k), alpha,
                a + r0 * lda, int(lda), b, int(ldb), beta, c + r0 * ldc, int(ldc));
  }
}

void fixed_syrk_upper(std::size_t d, std::size_t rows, const float* a, std::size_t lda, float* c,
                      std::size_t ldc) {
  if (d == 0 || rows == 0) return;
  SingleThreadedBlas one;
  const std::size_t t = (d + kTile - 1) / kTile;
  std::vector<std::pair<std::size_t, std::size_t>> tiles;  // (I, J), J >= I
  for (std::size_t i = 0; i < t; ++i)
    for (std::size_t j = i; j < t; ++j) tiles.emplace_back(i, j);
#pragma omp parallel for schedule(dynamic)
  for (std::int64_t e = 0; e < std::int64_t(tiles.size()); ++e) {
    const auto [ti, tj] = tiles[std::size_t(e)];
    const std::size_t i0 = ti * kTile, j0 = tj * kTile;
    const std::size_t ni = std::min(kTile, d - i0), nj = std::min(kTile, d - j0);
    float* ct = c + i0 * ldc + j0;
    if (ti == tj)
      cblas_ssyrk(CblasRowMajor, CblasUpper, CblasTrans, int(ni), int(rows), 1.0f, a + i0, int(lda),
                  1.0f, ct, int(ldc));
    else
      cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, int(ni), int(nj), int(rows), 1.0f,
                  a + i0, int(lda), a + j0, int(lda), 1.0f, ct, int(ldc));
  }
}

}  // namespace interplay
