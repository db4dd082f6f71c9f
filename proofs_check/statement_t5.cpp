// T5 (expected output error): for activations with covariance C the expected
// squared output error of a compressed weight matrix is sum_rows Delta^T C Delta.
// For C = I this is ||Delta||^2 and T1 carries over (S->Q sub-additive); for a
// correlated C (real layer inputs, C = X^T X / n) cross terms between kept
// elements' quantization error and pruned weights can break it.
#include <cmath>

#include "proofs_check/statement.hpp"
#include "proofs_check/tolerance.hpp"

namespace interplay::proofs {
namespace {

struct Quadratic {
  double value = 0, magnitude = 0;  // sum Delta^T C Delta, sum |Delta|^T |C| |Delta|
};

Quadratic output_error(const Tensor& f, const Tensor& w, const CovarianceView& c) {
  const std::size_t n = last_axis(w), rows = w.size() / (n ? n : 1);
  Quadratic out;
  std::vector<double> d(n);
  for (std::size_t r = 0; r < rows; ++r) {
    for (std::size_t j = 0; j < n; ++j)
      d[j] = double(f.data[r * n + j]) - double(w.data[r * n + j]);
    for (std::size_t j = 0; j < n; ++j) {
      if (d[j] == 0) continue;
      if (!c.matrix) {  // identity: the quadratic form is ||Delta||^2
        out.value += d[j] * d[j];
        out.magnitude += d[j] * d[j];
        continue;
      }
      double row = 0, mag = 0;
      for (std::size_t k = 0; k < n; ++k) {
        const double t = c.at(j, k) * d[k];
        row += t;
        mag += std::fabs(t);
      }
      out.value += d[j] * row;
      out.magnitude += std::fabs(d[j]) * mag;
    }
  }
  return out;
}

Measurement measure_t5(const Outputs& o, const Variant& v, const MeasureContext& ctx) {
  CovarianceView c = ctx.covariance;
  if (v.cov != Covariance::Correlated) c.matrix = nullptr;  // identity
  const Quadratic qs = output_error(o.qs, *o.x, c), s = output_error(o.s, *o.x, c),
                  q = output_error(o.q, *o.x, c);
  Measurement m;
  m.value = qs.value - s.value - q.value;
  m.tolerance =
      summation_tolerance(o.x->size() + last_axis(*o.x), qs.magnitude + s.magnitude + q.magnitude);
  m.scale = s.value + q.value;
  m.violating_units = m.value > m.tolerance ? 1 : 0;
  return m;
}

}  // namespace

Statement make_statement_t5() {
  Statement s;
  s.id = "T5";
  s.claim =
      "isotropic activations: S->Q is sub-additive in expected output error (Delta^T C Delta)";
  s.quantity = "F(q∘s) - F(s) - F(q) <= 0, F(f) = sum_rows (f(w) - w)^T C (f(w) - w)";
  s.tolerance = "(n + cols + 8) 2^-53 (sum of |Delta|^T |C| |Delta| over the three forms)";
  s.breaks_when =
      "correlated covariance C = X^T X / n (cross terms between kept and pruned errors)";
  s.kind = Kind::ForAll;
  s.assumptions = {"magnitude_sparsity", "scale_from_amax", "partitions_nested",
                   "covariance_isotropic"};
  s.variants = {Variant{std::nullopt, Covariance::Isotropic},
                Variant{std::nullopt, Covariance::Correlated}};
  s.measure = measure_t5;
  return s;
}

}  // namespace interplay::proofs
