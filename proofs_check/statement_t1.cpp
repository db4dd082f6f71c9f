// T1 (S->Q is sub-additive): under L1, for any separable phi,
// E(q∘s) = E(s) + E(q) - sum_{i pruned} phi(|q(x)_i - x_i|) <= E(s) + E(q).
#include "proofs_check/statement.hpp"
#include "proofs_check/tolerance.hpp"

namespace interplay::proofs {
namespace {

Measurement measure_t1(const Outputs& o, const Variant& v, const MeasureContext&) {
  const double qs = o.error(*v.phi, kQS), s = o.error(*v.phi, kS), q = o.error(*v.phi, kQ);
  Measurement m;
  m.value = qs - s - q;
  m.tolerance = summation_tolerance(o.x->size(), qs + s + q);
  m.scale = s + q;
  m.violating_units = m.value > m.tolerance ? 1 : 0;
  return m;
}

}  // namespace

Statement make_statement_t1() {
  Statement s;
  s.id = "T1";
  s.claim = "under L1's assumptions, S->Q is sub-additive for every separable phi";
  s.quantity = "E(q∘s) - E(s) - E(q) <= 0";
  s.tolerance = "(n + 8) 2^-53 (E(q∘s) + E(s) + E(q)): summation bound, see tolerance.hpp";
  s.breaks_when = "when L1 fails (crossed partitions, searched clipping): reported either way";
  s.kind = Kind::ForAll;
  s.assumptions = {"magnitude_sparsity", "scale_from_amax", "partitions_nested"};
  s.variants = phi_variants();
  s.measure = measure_t1;
  return s;
}

}  // namespace interplay::proofs
