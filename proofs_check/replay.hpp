#pragma once
// Re-running a stored counterexample: rebuild its plugins from the recorded
// steps, recompute the checked quantity on the stored tensor (and activations,
// covariance), and recompute its label from the predicates on its shape.
#include <string>
#include <vector>

#include "proofs_check/results.hpp"

namespace interplay::proofs {

struct ReplayOutcome {
  Measurement measured;
  std::vector<std::string> failing;  // assumptions failing now
  bool reproduces = false;           // same value (bit for bit), same verdict, same label
};

ReplayOutcome replay(const Counterexample& c);

std::string describe_replay(const Counterexample& c, const ReplayOutcome& r);

}  // namespace interplay::proofs
