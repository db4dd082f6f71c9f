#pragma once
// Row-major float32 GEMM through xtensor-blas (cxxblas -> OpenBLAS):
//   C[m,n] = alpha * op(A) * op(B) + beta * C,  op(X) = X or X^T.
// A is stored [m,k] (or [k,m] when trans_a), B is [k,n] (or [n,k] when trans_b).
//
// Determinism: multi-threaded OpenBLAS changes its blocking, and so the
// rounding, with its thread count. Here OpenBLAS runs single-threaded and C
// is cut into fixed 64-row (or 64-column, when n > m) panels computed in
// parallel with OpenMP: each panel is the same BLAS call whatever the number
// of threads, so results are bit-identical for any thread count.
#include <cstddef>

namespace interplay {

void gemm(bool trans_a, bool trans_b, std::size_t m, std::size_t n, std::size_t k, float alpha,
          const float* a, const float* b, float beta, float* c);

}  // namespace interplay
