#pragma once
// A statement of THEORY.md as a registered, runnable check: what it claims,
// under which assumptions (predicate ids), whether it must hold on every
// sample (forall) or needs one witness (exists), and the quantity it checks.
// Built-ins are listed once in statements.def.
#include <string>
#include <vector>

#include "proofs_check/outputs.hpp"

namespace interplay::proofs {

enum class Kind { ForAll, Exists };

// The checked quantity on one sample. The claim "quantity <= 0" is violated
// (forall) or witnessed (exists) when value > tolerance on some unit.
struct Measurement {
  double value = 0;      // the quantity on the worst unit
  double tolerance = 0;  // its floating-point bound (tolerance.hpp)
  double scale = 0;      // the right-hand side it is compared with, for the relative value
  std::size_t units = 1, violating_units = 0;  // units: dot products (T4), else 1

  bool violates() const { return violating_units > 0; }
  double relative() const { return scale > 0 ? value / scale : value; }
};

// What a measurement may use besides the outputs.
struct MeasureContext {
  const Sample* sample = nullptr;
  CovarianceView covariance;  // for Covariance::Correlated variants
};

struct Statement {
  std::string id;         // "T2"
  std::string claim;      // one line
  std::string quantity;   // "E(q∘s) - E(s∘q) <= 0"
  std::string tolerance;  // how the tolerance is derived
  std::string breaks_when;
  Kind kind = Kind::ForAll;
  std::vector<std::string> assumptions;  // predicate ids (predicates.hpp)
  std::vector<Variant> variants;
  // For exists statements: the witness must be found for every quantizer
  // (T3) rather than once overall.
  bool witness_per_quantizer = false;
  // Checked on trained models (model_check.hpp) rather than on tensors.
  bool model_level = false;
  Measurement (*measure)(const Outputs&, const Variant&, const MeasureContext&) = nullptr;
};

const std::vector<Statement>& all_statements();
const Statement& statement(const std::string& id);  // throws Error listing the ids
const char* kind_name(Kind k);

// Variants every phi-based statement runs over.
std::vector<Variant> phi_variants();

}  // namespace interplay::proofs
