// T3 (Q->S is non-orthogonal): there are tensors inside T2's assumptions with
// E(s∘q) > E(s) + E(q). Mechanism: rounding merges magnitudes into ties and
// the mask then removes the larger original element.
#include "proofs_check/statement.hpp"
#include "proofs_check/tolerance.hpp"

namespace interplay::proofs {
namespace {

Measurement measure_t3(const Outputs& o, const Variant& v, const MeasureContext&) {
  const double sq = o.error(*v.phi, kSQ), s = o.error(*v.phi, kS), q = o.error(*v.phi, kQ);
  Measurement m;
  m.value = sq - s - q;
  m.tolerance = summation_tolerance(o.x->size(), sq + s + q);
  m.scale = s + q;
  m.violating_units = m.value > m.tolerance ? 1 : 0;
  return m;
}

}  // namespace

Statement make_statement_t3() {
  Statement s;
  s.id = "T3";
  s.claim = "inside T2's assumptions, Q->S can exceed the sum of the individual errors";
  s.quantity = "E(s∘q) - E(s) - E(q) > 0 (witness)";
  s.tolerance = "(n + 8) 2^-53 (E(s∘q) + E(s) + E(q)): summation bound, see tolerance.hpp";
  s.breaks_when = "(existence statement: a witness is required for every quantizer)";
  s.kind = Kind::Exists;
  s.assumptions = {"magnitude_sparsity",   "scale_from_amax",  "partitions_nested",
                   "groups_inside_blocks", "nearest_rounding", "phi_convex"};
  s.variants = phi_variants();
  s.witness_per_quantizer = true;
  s.measure = measure_t3;
  return s;
}

}  // namespace interplay::proofs
