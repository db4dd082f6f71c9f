// The panelled GEMM: all transpose cases against a double-precision
// reference, alpha/beta, and bit-identical results for 1 and 2 threads.
#include <omp.h>

#include <catch2/catch.hpp>
#include <cmath>

#include "core/rng.hpp"
#include "models/gemm.hpp"

using namespace interplay;

namespace {
std::vector<float> random_values(std::size_t n, std::uint64_t stream) {
  std::vector<float> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = uniform24(9, stream, i) - 0.5f;
  return v;
}
}  // namespace

TEST_CASE("gemm: transposes, panels, alpha and beta against a reference", "[models]") {
  struct Shape3 {
    std::size_t m, n, k;
  };
  // Shapes with ragged panels along rows (m >= n) and along columns (n > m).
  for (const Shape3 s : {Shape3{3, 2, 5}, Shape3{130, 7, 33}, Shape3{9, 200, 17}}) {
    for (int t = 0; t < 4; ++t) {
      const bool ta = t & 1, tb = t & 2;
      const auto a = random_values(s.m * s.k, 1), b = random_values(s.k * s.n, 2);
      auto c = random_values(s.m * s.n, 3);
      const auto c0 = c;
      gemm(ta, tb, s.m, s.n, s.k, 0.5f, a.data(), b.data(), 2.0f, c.data());
      double worst = 0.0;
      for (std::size_t i = 0; i < s.m; ++i)
        for (std::size_t j = 0; j < s.n; ++j) {
          double ref = 0.0;
          for (std::size_t p = 0; p < s.k; ++p)
            ref += double(ta ? a[p * s.m + i] : a[i * s.k + p]) *
                   double(tb ? b[j * s.k + p] : b[p * s.n + j]);
          ref = 0.5 * ref + 2.0 * c0[i * s.n + j];
          worst = std::max(worst, std::fabs(ref - c[i * s.n + j]));
        }
      INFO("m " << s.m << " n " << s.n << " k " << s.k << " ta " << ta << " tb " << tb);
      CHECK(worst < 1e-5);
    }
  }
}

TEST_CASE("gemm: identical bits for any thread count", "[models]") {
  const std::size_t m = 300, n = 130, k = 257;
  const auto a = random_values(m * k, 4), b = random_values(k * n, 5);
  std::vector<float> c1(m * n), c2(m * n);
  omp_set_num_threads(1);
  gemm(false, true, m, n, k, 1.0f, a.data(), b.data(), 0.0f, c1.data());
  omp_set_num_threads(2);
  gemm(false, true, m, n, k, 1.0f, a.data(), b.data(), 0.0f, c2.data());
  omp_set_num_threads(omp_get_num_procs());
  CHECK(c1 == c2);
}
