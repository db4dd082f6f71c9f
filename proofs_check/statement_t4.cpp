// T4 (dot products are non-orthogonal even for S->Q): with
// delta_f = |<f(w), a> - <w, a>|, delta_{q∘s} can exceed delta_s + delta_q,
// because quantization errors of kept and pruned elements cancel inside
// delta_q and pruning removes the cancellation. Each row of the weight tensor
// (last axis) against the sample's activation vector is one dot product.
#include <cmath>
#include <limits>

#include "proofs_check/statement.hpp"
#include "proofs_check/tolerance.hpp"

namespace interplay::proofs {
namespace {

struct Dot {
  double delta = 0, magnitude = 0;  // |sum (f_i - w_i) a_i| and sum |(f_i - w_i) a_i|
};

Dot dot_error(const float* f, const float* w, const float* a, std::size_t n) {
  double s = 0, m = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const double t = (double(f[i]) - double(w[i])) * double(a[i]);
    s += t;
    m += std::fabs(t);
  }
  return {std::fabs(s), m};
}

Measurement measure_t4(const Outputs& o, const Variant&, const MeasureContext& ctx) {
  const std::size_t n = last_axis(*o.x), rows = o.x->size() / (n ? n : 1);
  const float* a = ctx.sample->act.data();
  Measurement m;
  m.units = rows;
  double best = -std::numeric_limits<double>::infinity();
  for (std::size_t r = 0; r < rows; ++r) {
    const float* w = o.x->data.data() + r * n;
    const Dot qs = dot_error(o.qs.data.data() + r * n, w, a, n);
    const Dot s = dot_error(o.s.data.data() + r * n, w, a, n);
    const Dot q = dot_error(o.q.data.data() + r * n, w, a, n);
    const double value = qs.delta - s.delta - q.delta, rhs = s.delta + q.delta;
    const double tol = summation_tolerance(n, qs.magnitude + s.magnitude + q.magnitude);
    if (value > tol) ++m.violating_units;
    const double rel = rhs > 0 ? value / rhs : value;
    if (rel > best) best = rel, m.value = value, m.tolerance = tol, m.scale = rhs;
  }
  return m;
}

}  // namespace

Statement make_statement_t4() {
  Statement s;
  s.id = "T4";
  s.claim = "under L1's assumptions, a dot product's S->Q error can exceed the sum of the parts";
  s.quantity = "|<q(s(w)) - w, a>| - |<s(w) - w, a>| - |<q(w) - w, a>| > 0 (witness), per row";
  s.tolerance = "(n + 8) 2^-53 (sum of |(f_i - w_i) a_i| over the three dot products), per row";
  s.breaks_when = "(existence statement)";
  s.kind = Kind::Exists;
  s.assumptions = {"magnitude_sparsity", "scale_from_amax", "partitions_nested"};
  s.variants = {Variant{}};
  s.measure = measure_t4;
  return s;
}

}  // namespace interplay::proofs
