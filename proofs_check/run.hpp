#pragma once
// `interplay prove` without the command line: build the configuration matrix,
// run every case (in parallel across cases; each case's draws depend only on
// its own seed, so results do not depend on thread count), and summarise per
// statement.
#include <optional>
#include <string>
#include <vector>

#include "proofs_check/case_checker.hpp"
#include "proofs_check/matrix.hpp"
#include "proofs_check/model_check.hpp"
#include "proofs_check/verdict.hpp"

namespace interplay::proofs {

struct RunOptions {
  std::string command;         // the command line, recorded in the reports
  std::string mode = "quick";  // "quick" | "full" (names the budget in reports)
  Budget budget = Budget::quick();
  std::vector<std::string> statements;  // ids; empty = all
  MatrixFilter filter;
  MatrixShape shape;
  std::uint64_t seed = 20250101;
  const WeightSource* weights = nullptr;
  ModelCheckOptions model;  // M1: models to evaluate (none = M1 skipped)
  int threads = 1;          // worker threads across cases
  bool progress = false;    // a line per finished case on stderr
  bool bar = false;         // a progress bar with ETA on stderr (as `run` shows)
};

struct RunReport {
  RunOptions options;
  std::size_t cases = 0;
  double seconds = 0;
  int threads = 1;
  std::vector<StatementReport> statements;
  std::optional<ModelCheckReport> model;

  bool passed() const;
};

RunReport run_checks(const RunOptions& options);

}  // namespace interplay::proofs
