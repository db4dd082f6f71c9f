#pragma once
// Counterexamples in HDF5, one group per counterexample under /counterexamples:
//   x            float32, the tensor (its shape)
//   activations  float32 [cols]      (T4; absent when unused)
//   covariance   float64 [cols,cols] (T5 correlated; absent when unused)
//   attribute "meta": JSON with the statement, case (plugin steps, layout,
//   seed), variant, failing assumptions and the recorded measurement.
// Readable with h5py; `interplay prove --replay FILE[:GROUP]` re-checks them.
#include <string>
#include <vector>

#include "proofs_check/results.hpp"

namespace interplay::proofs {

// Written atomically: the file appears complete or not at all.
void write_counterexamples(const std::string& path, const std::vector<const Counterexample*>& list);

struct StoredCounterexample {
  std::string where;  // "file.h5:/counterexamples/0003_T2"
  Counterexample counterexample;
};
// FILE reads every group; FILE:/counterexamples/NAME reads one.
std::vector<StoredCounterexample> read_counterexamples(const std::string& spec);

}  // namespace interplay::proofs
