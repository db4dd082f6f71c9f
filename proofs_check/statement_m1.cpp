// M1 (model-level orthogonality threshold): for a lower-is-better model metric
// with dense m0, sparse-only m_s and quantized-only m_q, the combination is
// non-orthogonal when m_{s,q} > m_thr = m0 + (m_s - m0) + (m_q - m0). Checked on
// trained models (model_check.cpp, `interplay prove --model FILE`), not on
// tensors: the statement has no tensor measure.
#include "proofs_check/statement.hpp"

namespace interplay::proofs {

Statement make_statement_m1() {
  Statement s;
  s.id = "M1";
  s.claim = "trained models: compressing with both S and Q exceeds the orthogonality threshold";
  s.quantity =
      "loss(S->Q) - [loss0 + (loss_s - loss0) + (loss_q - loss0)] > 0 for some pair, "
      "significantly (witness); accuracy with the signs flipped";
  s.tolerance =
      "a witness needs the 95 % paired-bootstrap interval of the gap over the test images "
      "entirely above 0 (gaps inside their interval are inconclusive, never witnesses)";
  s.breaks_when =
      "(existence statement; the paper reports most pairs above the threshold and "
      "S->Q below Q->S)";
  s.kind = Kind::Exists;
  s.model_level = true;
  return s;
}

}  // namespace interplay::proofs
