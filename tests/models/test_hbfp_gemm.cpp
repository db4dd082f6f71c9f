// HBFP training arithmetic at the GEMM level: the HBFP GEMM is the FP32 GEMM
// of the HBFP-quantized operands, the blocks run along the reduction
// dimension, stochastic rounding is thread-count free, and an HBFP linear
// layer's gradients follow the explicit formula.
#include <omp.h>

#include <catch2/catch.hpp>
#include <cmath>

#include "core/rng.hpp"
#include "models/attention.hpp"
#include "models/gemm.hpp"
#include "models/gemm_arithmetic.hpp"
#include "models/linear.hpp"
#include "support.hpp"

using namespace interplay;

namespace {

std::vector<float> random_values(std::size_t n, std::uint64_t stream) {
  std::vector<float> v(n);
  // A spread of magnitudes, so blocks get different exponents.
  for (std::size_t i = 0; i < n; ++i)
    v[i] = (uniform24(5, stream, i) - 0.5f) * std::ldexp(1.0f, int(i % 7) - 3);
  return v;
}

std::vector<float> transpose(const std::vector<float>& x, std::size_t rows, std::size_t cols) {
  std::vector<float> t(x.size());
  for (std::size_t r = 0; r < rows; ++r)
    for (std::size_t c = 0; c < cols; ++c) t[c * rows + r] = x[r * cols + c];
  return t;
}

// HBFPk of a [rows, k] matrix with blocks along its rows, through the hbfp
// quantizer itself (the reference every conversion is checked against).
std::vector<float> hbfp_rows(const std::vector<float>& x, std::size_t rows, std::size_t k,
                             int width, std::size_t block) {
  const std::string step = R"({"quantizer": "hbfp", "mantissa_bits": )" +
                           std::to_string(width - 1) + R"(, "block": )" + std::to_string(block) +
                           "}";
  return test::quantize(step, Tensor({rows, k}, x)).data;
}

// Operand X stored [rows, cols] whose reduction dimension is `axis`, quantized
// by transposing it to [*, k] rows when needed.
std::vector<float> hbfp_reference(const std::vector<float>& x, std::size_t rows, std::size_t cols,
                                  int axis, int width, std::size_t block) {
  if (axis == 1) return hbfp_rows(x, rows, cols, width, block);
  return transpose(hbfp_rows(transpose(x, rows, cols), cols, rows, width, block), cols, rows);
}

bool same(const std::vector<float>& a, const std::vector<float>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (!test::same_bits(a[i], b[i])) return false;
  return true;
}

}  // namespace

TEST_CASE("hbfp gemm: the FP32 gemm of the HBFP-quantized operands, bit for bit", "[hbfp]") {
  struct Shape3 {
    std::size_t m, n, k;
  };
  // k = 150: two full blocks of 64 and a ragged one; panels along rows and columns.
  for (const Shape3 s : {Shape3{70, 9, 150}, Shape3{5, 130, 150}, Shape3{3, 4, 20}})
    for (int width : {4, 6, 8})
      for (int t = 0; t < 4; ++t) {
        const bool ta = t & 1, tb = t & 2;
        const auto a = random_values(s.m * s.k, 1), b = random_values(s.k * s.n, 2);
        auto c = random_values(s.m * s.n, 3);
        auto ref = c, fp32 = c;
        hbfp_gemm(width, 64, Rounding::NearestEven, 0, Rounding::NearestEven, 0, ta, tb, s.m, s.n,
                  s.k, 0.5f, a.data(), b.data(), 1.0f, c.data());
        // A is [m,k] (k along rows) or [k,m]; B is [k,n] or [n,k].
        const auto qa = hbfp_reference(a, ta ? s.k : s.m, ta ? s.m : s.k, ta ? 0 : 1, width, 64);
        const auto qb = hbfp_reference(b, tb ? s.n : s.k, tb ? s.k : s.n, tb ? 1 : 0, width, 64);
        CHECK(!same(qa, a));
        gemm(ta, tb, s.m, s.n, s.k, 0.5f, qa.data(), qb.data(), 1.0f, ref.data());
        gemm(ta, tb, s.m, s.n, s.k, 0.5f, a.data(), b.data(), 1.0f, fp32.data());
        INFO("m " << s.m << " n " << s.n << " k " << s.k << " ta " << ta << " tb " << tb
                  << " width " << width);
        CHECK(same(c, ref));
        CHECK(!same(c, fp32));
      }
}

TEST_CASE("hbfp gemm: blocks share one exponent along the reduction dimension", "[hbfp]") {
  // A column-blocked conversion (axis 0) checked against the format's
  // definition directly: per block of 64 down a column, values are multiples
  // of 2^(e-m) within +-(2^e - 2^(e-m)), e = ceil(log2 amax).
  const std::size_t rows = 150, cols = 7;
  const int width = 4, m = width - 1;
  const auto x = random_values(rows * cols, 4);
  Tensor q;
  hbfp_convert(x.data(), rows, cols, 0, width, 64, Rounding::NearestEven, 0, q);
  for (std::size_t c = 0; c < cols; ++c)
    for (std::size_t r0 = 0; r0 < rows; r0 += 64) {
      float amax = 0.0f;
      for (std::size_t r = r0; r < std::min(rows, r0 + 64); ++r)
        amax = std::max(amax, std::fabs(x[r * cols + c]));
      const int e = int(std::ceil(std::log2(double(amax))));
      const double quantum = std::ldexp(1.0, e - m), top = std::ldexp(1.0, e) - quantum;
      for (std::size_t r = r0; r < std::min(rows, r0 + 64); ++r) {
        const double v = q.data[r * cols + c];
        CHECK(std::fabs(v) <= top);
        CHECK(std::fabs(v / quantum - std::round(v / quantum)) == 0.0);
        CHECK(std::fabs(v - x[r * cols + c]) <= quantum);  // within one step of the input
      }
    }
}

TEST_CASE("hbfp gemm: stochastic rounding is seeded and thread-count free", "[hbfp]") {
  const std::size_t m = 200, n = 96, k = 300;
  const auto a = random_values(m * k, 6), b = random_values(k * n, 7);
  auto run = [&](int threads, std::uint64_t seed) {
    omp_set_num_threads(threads);
    std::vector<float> c(m * n, 0.0f);
    hbfp_gemm(4, 64, Rounding::Stochastic, seed, Rounding::Stochastic, seed + 1, true, false, m, n,
              k, 1.0f, a.data(), b.data(), 0.0f, c.data());
    return c;
  };
  const auto one = run(1, 11), two = run(2, 11), other = run(2, 12);
  omp_set_num_threads(omp_get_num_procs());
  CHECK(same(one, two));
  CHECK(!same(one, other));
}

TEST_CASE("hbfp linear: forward and gradients follow the explicit formula", "[hbfp]") {
  // y = HBFP(x) HBFP(W)^T + b; dX = HBFP(dY) HBFP(W) (blocks along out);
  // dW = HBFP(dY)^T HBFP(X) (blocks along the batch rows): every product
  // with its own operands converted along its own reduction dimension. The
  // gradient is the straight-through one: the FP32 derivative of the product
  // evaluated at the converted operands (quantization has zero derivative
  // almost everywhere, so finite differences of the quantized function do not
  // define a useful gradient).
  const std::size_t rows = 70, in = 100, out = 90;
  Linear l(in, out);
  l.weight().value.data = random_values(out * in, 8);
  l.params()[1].value.data = random_values(out, 9);
  l.arithmetic.width = 6;
  const auto x = random_values(rows * in, 10), dy = random_values(rows * out, 11);
  Tensor y, dx;
  l.forward(Tensor({rows, in}, x), y);
  l.backward(Tensor({rows, out}, dy), dx);

  const auto& w = l.weight().value.data;
  std::vector<float> ref_y(rows * out);
  for (std::size_t r = 0; r < rows; ++r)
    for (std::size_t j = 0; j < out; ++j) ref_y[r * out + j] = l.params()[1].value.data[j];
  gemm(false, true, rows, out, in, 1.0f, hbfp_reference(x, rows, in, 1, 6, 64).data(),
       hbfp_reference(w, out, in, 1, 6, 64).data(), 1.0f, ref_y.data());
  CHECK(same(y.data, ref_y));

  std::vector<float> ref_dx(rows * in), ref_dw(out * in);
  gemm(false, false, rows, in, out, 1.0f, hbfp_reference(dy, rows, out, 1, 6, 64).data(),
       hbfp_reference(w, out, in, 0, 6, 64).data(), 0.0f, ref_dx.data());
  gemm(true, false, out, in, rows, 1.0f, hbfp_reference(dy, rows, out, 0, 6, 64).data(),
       hbfp_reference(x, rows, in, 0, 6, 64).data(), 0.0f, ref_dw.data());
  CHECK(same(dx.data, ref_dx));
  CHECK(same(l.weight().grad.data, ref_dw));

  // With 23-bit magnitudes the HBFP layer is the FP32 layer up to rounding.
  Linear f = l;
  f.arithmetic.width = 0;
  l.arithmetic.width = 24;
  Tensor y32, dx32, y24, dx24;
  f.forward(Tensor({rows, in}, x), y32);
  f.backward(Tensor({rows, out}, dy), dx32);
  l.forward(Tensor({rows, in}, x), y24);
  l.backward(Tensor({rows, out}, dy), dx24);
  for (std::size_t i = 0; i < y32.size(); ++i)
    CHECK(y24.data[i] == Approx(y32.data[i]).margin(1e-5));
  for (std::size_t i = 0; i < dx32.size(); ++i)
    CHECK(dx24.data[i] == Approx(dx32.data[i]).margin(1e-5));
  for (std::size_t i = 0; i < out * in; ++i)
    CHECK(l.weight().grad.data[i] == Approx(f.weight().grad.data[i]).margin(1e-5));
}

TEST_CASE("hbfp attention: score products block along dh and along tokens", "[hbfp]") {
  // Forward reference per (batch, head): S = HBFP_rows(Q) HBFP_rows(K)^T / sqrt(dh),
  // P = softmax(S), O = HBFP_rows(P) HBFP_cols(V), y = proj(O) in FP32.
  const std::size_t B = 2, T = 9, D = 16, H = 2, dh = D / H;
  for (bool causal : {false, true}) {
    MultiHeadAttention a(D, H, causal);
    std::uint64_t stream = 20;
    for (auto& [name, child] : a.children())
      for (Param& p : child->params()) {
        // Scaled down: with the raw spread (up to +-4) the scores reach 1e5 and
        // the softmax amplifies even 23-bit rounding (and FP32's own).
        p.value.data = random_values(p.value.size(), stream++);
        for (float& w : p.value.data) w *= 0.125f;
      }
    const auto x = random_values(B * T * D, 30);
    Tensor y, y32;
    MultiHeadAttention f = a;
    a.scores.width = 4;
    a.forward(Tensor({B, T, D}, x), y);
    f.forward(Tensor({B, T, D}, x), y32);

    Linear& qkv = *static_cast<Linear*>(a.children()[0].second);
    Linear& proj = *static_cast<Linear*>(a.children()[1].second);
    Tensor qkv_out, out;
    qkv.forward(Tensor({B, T, D}, x), qkv_out);
    Tensor context({B, T, D});
    for (std::size_t b = 0; b < B; ++b)
      for (std::size_t h = 0; h < H; ++h) {
        std::vector<float> q(T * dh), k(T * dh), v(T * dh);
        for (std::size_t t = 0; t < T; ++t)
          for (std::size_t d = 0; d < dh; ++d) {
            const float* row = qkv_out.data.data() + (b * T + t) * 3 * D + h * dh + d;
            q[t * dh + d] = row[0], k[t * dh + d] = row[D], v[t * dh + d] = row[2 * D];
          }
        q = hbfp_reference(q, T, dh, 1, 4, 64);
        k = hbfp_reference(k, T, dh, 1, 4, 64);
        v = hbfp_reference(v, T, dh, 0, 4, 64);
        std::vector<float> p(T * T, 0.0f);
        for (std::size_t t = 0; t < T; ++t) {
          const std::size_t seen = causal ? t + 1 : T;
          float mx = -INFINITY, sum = 0.0f;
          for (std::size_t s = 0; s < seen; ++s) {
            float dot = 0.0f;
            for (std::size_t d = 0; d < dh; ++d) dot += q[t * dh + d] * k[s * dh + d];
            p[t * T + s] = dot / std::sqrt(float(dh));
            mx = std::max(mx, p[t * T + s]);
          }
          for (std::size_t s = 0; s < seen; ++s)
            sum += (p[t * T + s] = std::exp(p[t * T + s] - mx));
          for (std::size_t s = 0; s < seen; ++s) p[t * T + s] /= sum;
        }
        p = hbfp_reference(p, T, T, 1, 4, 64);
        for (std::size_t t = 0; t < T; ++t)
          for (std::size_t d = 0; d < dh; ++d) {
            float o = 0.0f;
            for (std::size_t s = 0; s < T; ++s) o += p[t * T + s] * v[s * dh + d];
            context.data[(b * T + t) * D + h * dh + d] = o;
          }
      }
    proj.forward(context, out);
    double worst = 0.0, moved = 0.0;
    for (std::size_t i = 0; i < y.size(); ++i) {
      worst = std::max(worst, double(std::fabs(y.data[i] - out.data[i])));
      moved = std::max(moved, double(std::fabs(y.data[i] - y32.data[i])));
    }
    INFO("causal " << causal);
    CHECK(worst < 1e-5);
    CHECK(moved > 1e-3);  // HBFP4 really changed the products

    // Backward: at 23-bit magnitudes the HBFP products are the FP32 ones up to
    // rounding: catches wiring errors (wrong buffer, offset or product).
    a.scores.width = 24;
    Tensor dx, dx32;
    const auto dy = random_values(B * T * D, 31);
    a.forward(Tensor({B, T, D}, x), y);
    a.backward(Tensor({B, T, D}, dy), dx);
    f.backward(Tensor({B, T, D}, dy), dx32);
    for (std::size_t i = 0; i < dx.size(); ++i)
      CHECK(dx.data[i] == Approx(dx32.data[i]).margin(1e-5));
  }
}
