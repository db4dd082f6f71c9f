#include "models/gemm.hpp"

#include <algorithm>
#include <cstdint>
#include <xtensor-blas/xblas.hpp>

// OpenBLAS's thread control, if the BLAS in use is OpenBLAS.
extern "C" void openblas_set_num_threads(int) __attribute__((weak));

namespace interplay {
namespace {

constexpr std::size_t kPanel = 64;

void blas_single_threaded() {
  static const bool once = [] {
    if (openblas_set_num_threads) openblas_set_num_threads(1);
    return true;
  }();
  (void)once;
}

using cxxblas::StorageOrder;
using cxxblas::Transpose;
using index_t = int;

void blas_gemm(bool ta, bool tb, std::size_t m, std::size_t n, std::size_t k, float alpha,
               const float* a, std::size_t lda, const float* b, std::size_t ldb, float beta,
               float* c, std::size_t ldc) {
  cxxblas::gemm<index_t>(StorageOrder::RowMajor, ta ? Transpose::Trans : Transpose::NoTrans,
                         tb ? Transpose::Trans : Transpose::NoTrans, index_t(m), index_t(n),
                         index_t(k), alpha, a, index_t(lda), b, index_t(ldb), beta, c,
                         index_t(ldc));
}

}  // namespace

void gemm(bool trans_a, bool trans_b, std::size_t m, std::size_t n, std::size_t k, float alpha,
          const float* a, const float* b, float beta, float* c) {
  if (m == 0 || n == 0) return;
  if (k == 0) {
    for (std::size_t i = 0; i < m * n; ++i) c[i] = beta == 0.0f ? 0.0f : beta * c[i];
    return;
  }
  blas_single_threaded();
  const std::size_t lda = trans_a ? m : k, ldb = trans_b ? k : n;
  const bool by_rows = m >= n;
  const std::size_t extent = by_rows ? m : n;
  const std::int64_t panels = std::int64_t((extent + kPanel - 1) / kPanel);
  const bool parallel = panels > 1 && double(m) * double(n) * double(k) > double(1 << 18);
#pragma omp parallel for schedule(static) if (parallel)
  for (std::int64_t p = 0; p < panels; ++p) {
    const std::size_t lo = std::size_t(p) * kPanel, len = std::min(kPanel, extent - lo);
    if (by_rows) {
      const float* ap = trans_a ? a + lo : a + lo * lda;
      blas_gemm(trans_a, trans_b, len, n, k, alpha, ap, lda, b, ldb, beta, c + lo * n, n);
    } else {
      const float* bp = trans_b ? b + lo * ldb : b + lo;
      blas_gemm(trans_a, trans_b, m, len, k, alpha, a, lda, bp, ldb, beta, c + lo, n);
    }
  }
}

}  // namespace interplay
