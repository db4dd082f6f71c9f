#pragma once
// Runs every selected statement on one case: random samples from each
// distribution, tie-built samples, exhaustive enumeration (tiny shapes), then
// per (statement, variant) a local search that tries to increase the checked
// quantity, and finally shrinking of the worst violating sample.
#include <optional>
#include <vector>

#include "proofs_check/generators.hpp"
#include "proofs_check/moves.hpp"
#include "proofs_check/outputs.hpp"
#include "proofs_check/results.hpp"

namespace interplay::proofs {

struct Budget {
  std::size_t random_trials = 12;       // per case, cycling through the generators (rounded
                                        // up to a multiple of their number)
  std::size_t tie_trials = 4;           // per case, tie-builder samples
  std::size_t enumeration_limit = 256;  // tensors per enumeration step size (tiny cases)
  std::size_t find_steps = 24;          // local search for a target still lacking a violation
  std::size_t adversarial_steps = 4;    // local search against a forall inside its assumptions
  std::size_t shrink_evaluations = 80;

  static Budget quick();
  static Budget full();
};

class CaseChecker {
 public:
  CaseChecker(const Case& c, const std::vector<const Statement*>& statements,
              const WeightSource* weights);

  std::vector<ConfigResult> run(const Budget& budget);

 private:
  struct Target {
    const Statement* statement;
    Variant variant;
    ConfigResult result;
    std::optional<Sample> best;  // highest objective seen (start of the local search)
    double best_objective = -1e300;
    std::optional<Sample> worst_violation;  // the sample to shrink
    double worst_violation_objective = -1e300;
  };

  // The random phase's generators: every synthetic distribution, then
  // "weights" when crops of real weights are given (an extra generator, not a
  // replacement for a synthetic one).
  std::size_t generator_count() const;
  bool uses_weights(std::size_t trial) const;
  std::string generator_name(std::size_t trial) const;
  Sample random_sample(std::size_t trial);
  Sample tie_sample(std::size_t trial);
  Measurement measure(const Target& t, const Sample& s, const Outputs& o) const;
  // Measures every target on `s`; `phase` selects the tally.
  void observe_all(const Sample& s, Tally ConfigResult::*phase);
  void observe(Target& t, const Sample& s, const Measurement& m, Tally ConfigResult::*phase);
  void local_search(Target& t, std::size_t steps);
  void shrink_violation(Target& t, const Budget& budget);
  std::vector<std::string> label(const Target& t, const Shape& shape) const;
  std::vector<std::uint32_t> identity_features() const;

  Case case_;
  Subject subject_;
  MoveContext moves_;
  const WeightSource* weights_;
  std::vector<double> correlated_;  // covariance over the last axis (T5)
  std::vector<Target> targets_;
  Outputs scratch_;
};

}  // namespace interplay::proofs
