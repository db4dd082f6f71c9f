// L1 (scale preservation): with nested partitions and amax-only scales,
// q(s(x))_i = q(x)_i for every kept i and 0 for every pruned i. An identity
// of float computations, so it is checked bit for bit (tolerance 0).
#include <algorithm>
#include <cmath>

#include "proofs_check/statement.hpp"

namespace interplay::proofs {
namespace {

Measurement measure_l1(const Outputs& o, const Variant&, const MeasureContext&) {
  Measurement m;
  double qmax = 0;
  for (std::size_t i = 0; i < o.q.size(); ++i) {
    const double expected = o.keep_x[i] ? o.q.data[i] : 0.0;
    m.value = std::max(m.value, std::fabs(double(o.qs.data[i]) - expected));
    qmax = std::max(qmax, std::fabs(double(o.q.data[i])));
  }
  m.scale = qmax;
  m.violating_units = m.value > m.tolerance ? 1 : 0;
  return m;
}

}  // namespace

Statement make_statement_l1() {
  Statement s;
  s.id = "L1";
  s.claim = "nested partitions + amax-only scales: q(s(x))_i = q(x)_i for kept i, 0 for pruned i";
  s.quantity = "max_i |q(s(x))_i - [i kept] q(x)_i| <= 0";
  s.tolerance = "0 (bit-exact: the same float inputs reach the same quantizer arithmetic)";
  s.breaks_when =
      "crossed partitions; scales not a function of amax alone (mse/percentile clip, "
      "asymmetric min/max)";
  s.kind = Kind::ForAll;
  s.assumptions = {"magnitude_sparsity", "scale_from_amax", "partitions_nested"};
  s.variants = {Variant{}};
  s.measure = measure_l1;
  return s;
}

}  // namespace interplay::proofs
