#pragma once
// Per-statement conclusions from the configuration results: the verdict, the
// evidence about each assumption's necessity (violations found where exactly
// that assumption fails), per-quantizer witnesses, and violation rates on
// random samples per variant.
#include <map>
#include <set>
#include <string>
#include <vector>

#include "proofs_check/results.hpp"

namespace interplay::proofs {

enum class Verdict {
  Holds,           // forall: zero violations inside the assumptions
  WitnessFound,    // exists: a witness (for every quantizer when required)
  ViolatedInside,  // forall violated inside its assumptions: a bug in code or theory
  NoWitness,       // exists: no witness found
  NotRun,          // no configuration was inside the assumptions
  Skipped,         // a model-level statement without --model
};
const char* verdict_text(Verdict v);  // "holds within assumptions", ...
bool verdict_passes(Verdict v);

struct AssumptionEvidence {
  std::string assumption;
  std::size_t configs = 0, violating = 0;            // configs where it fails (maybe with others)
  std::size_t sole_configs = 0, sole_violating = 0;  // configs where only it fails
  const Counterexample* example = nullptr;           // smallest, from a sole-failure config if any
};

struct StatementReport {
  // Holds pointers into its own `configs`: movable, not copyable.
  StatementReport() = default;
  StatementReport(StatementReport&&) = default;
  StatementReport& operator=(StatementReport&&) = default;
  StatementReport(const StatementReport&) = delete;
  StatementReport& operator=(const StatementReport&) = delete;

  const Statement* statement = nullptr;
  std::vector<ConfigResult> configs;
  Verdict verdict = Verdict::NotRun;
  std::size_t inside = 0, inside_violating = 0, outside = 0, outside_violating = 0;
  std::vector<AssumptionEvidence> evidence;          // one per assumption
  std::map<std::string, bool> witness_by_quantizer;  // exists statements
  std::map<std::string, std::set<std::string>> witness_variants_by_quantizer;
  std::map<std::string, Tally> inside_random_by_variant, outside_random_by_variant;
  std::map<std::string, Tally> inside_weights_by_variant, outside_weights_by_variant;
  // Random-phase rates per variant and generator (never pooled over
  // distributions: the reports show these).
  using GeneratorTallies = std::map<std::string, std::map<std::string, Tally>>;
  GeneratorTallies inside_by_generator, outside_by_generator;
  std::vector<const ConfigResult*> inside_without_violation;  // exists: configs lacking a witness
  const Counterexample* inside_example = nullptr;  // smallest inside counterexample/witness
};

StatementReport summarize(const Statement& s, std::vector<ConfigResult> configs);
// A model-level statement: `pairs` evaluated, `witnesses` of them non-orthogonal
// (no model given: Skipped).
StatementReport summarize_model(const Statement& s, std::size_t pairs, std::size_t witnesses,
                                bool ran);

}  // namespace interplay::proofs
