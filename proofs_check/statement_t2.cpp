// T2 (S->Q is the better order): L1 + every group inside one block +
// deterministic round-to-nearest + convex phi  =>  E(q∘s) <= E(s∘q).
#include "proofs_check/statement.hpp"
#include "proofs_check/tolerance.hpp"

namespace interplay::proofs {
namespace {

Measurement measure_t2(const Outputs& o, const Variant& v, const MeasureContext&) {
  const double qs = o.error(*v.phi, kQS), sq = o.error(*v.phi, kSQ);
  Measurement m;
  m.value = qs - sq;
  m.tolerance = summation_tolerance(o.x->size(), qs + sq);
  m.scale = sq;
  m.violating_units = m.value > m.tolerance ? 1 : 0;
  return m;
}

}  // namespace

Statement make_statement_t2() {
  Statement s;
  s.id = "T2";
  s.claim = "groups inside blocks, round-to-nearest, convex phi: S->Q is no worse than Q->S";
  s.quantity = "E(q∘s) - E(s∘q) <= 0";
  s.tolerance = "(n + 8) 2^-53 (E(q∘s) + E(s∘q)): summation bound, see tolerance.hpp";
  s.breaks_when =
      "groups spanning blocks with different scales; non-convex phi (L0.5); "
      "stochastic rounding; crossed partitions";
  s.kind = Kind::ForAll;
  s.assumptions = {"magnitude_sparsity",   "scale_from_amax",  "partitions_nested",
                   "groups_inside_blocks", "nearest_rounding", "phi_convex"};
  s.variants = phi_variants();
  s.measure = measure_t2;
  return s;
}

}  // namespace interplay::proofs
