// BLAS products and calibrated solvers give the same bits for any thread
// count (core/fixed_blas.hpp): OpenBLAS's own threading changed the last bits
// of SGEMM/SSYRK/potrf, and SparseGPT carried them into every kept weight.
#include <omp.h>

#include <catch2/catch.hpp>
#include <cmath>

#include "calibration/helpers.hpp"
#include "core/fixed_blas.hpp"

extern "C" void openblas_set_num_threads(int) __attribute__((weak));

using namespace interplay;
using namespace interplay::test;

namespace {

template <class F>
auto with_threads(int n, F f) {
  const int before = omp_get_max_threads();
  omp_set_num_threads(n);
  if (openblas_set_num_threads) openblas_set_num_threads(n);
  auto r = f();
  omp_set_num_threads(before);
  if (openblas_set_num_threads) openblas_set_num_threads(before);
  return r;
}

}  // namespace

TEST_CASE("fixed_sgemm and fixed_syrk_upper: the product, the same bits on 1 and 2 threads",
          "[core][calibration]") {
  const Tensor a = normal_tensor({300, 200}, 1), b = normal_tensor({200, 150}, 2);
  auto gemm = [&] {
    std::vector<float> c(300 * 150, 0.5f);
    fixed_sgemm(300, 150, 200, -1.0f, a.data.data(), 200, b.data.data(), 150, 1.0f, c.data(), 150);
    return c;
  };
  auto syrk = [&] {
    std::vector<float> c(200 * 200, 0.0f);
    fixed_syrk_upper(200, 300, a.data.data(), 200, c.data(), 200);
    return c;
  };
  const auto g1 = with_threads(1, gemm), g2 = with_threads(2, gemm);
  const auto s1 = with_threads(1, syrk), s2 = with_threads(2, syrk);
  CHECK(g1 == g2);
  CHECK(s1 == s2);
  for (std::size_t i : {0u, 77u, 299u})
    for (std::size_t j : {0u, 149u}) {
      double ref = 0.5;
      for (std::size_t k = 0; k < 200; ++k)
        ref -= double(a.data[i * 200 + k]) * b.data[k * 150 + j];
      CHECK(g1[i * 150 + j] == Approx(ref).epsilon(1e-4));
    }
  for (std::size_t i : {0u, 130u})
    for (std::size_t j : {i, std::size_t(199)}) {
      double ref = 0;
      for (std::size_t r = 0; r < 300; ++r)
        ref += double(a.data[r * 200 + i]) * a.data[r * 200 + j];
      CHECK(s1[i * 200 + j] == Approx(ref).epsilon(1e-4));
    }
}

TEST_CASE("calibrated solvers: the same bits on 1 and 2 threads", "[calibration]") {
  const Tensor w = normal_tensor({128, 384}, 3);
  const Tensor x = correlated_inputs(768, 384, 4);
  for (const char* step :
       {R"({"sparsifier": "sparsegpt", "fraction": 0.5})",
        R"({"quantizer": "int4", "solver": "gptq"})",
        R"({"sparsifier": "sparsegpt", "fraction": 0.5, "quantizer": "mxfp4"})"}) {
    INFO(step);
    const Pipeline p = Pipeline::from_json({{"steps", json::array({json::parse(step)})}});
    auto run = [&] {
      const Calibration c = Calibration::from_inputs(x);  // H accumulated on these threads
      return p.apply(w, &c).data;
    };
    CHECK(with_threads(1, run) == with_threads(2, run));
  }
}
