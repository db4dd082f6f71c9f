#pragma once
// `interplay merge PART... --output R.h5`: the parts written by
// `interplay run CONFIG --shard K/N` joined into the file an unsharded run
// writes. Every part must hold the same effective config and come from the
// same interplay version and commit; their points must be disjoint and, unless
// `allow_incomplete`, complete. The config is expanded again (relative input
// paths resolve as in the run) and the table is built from the parts' values,
// so rows, key columns and derived columns are exactly those of an unsharded
// run. The parts' provenance (file, host, shard, times, runs, threads) is kept
// in the attribute "parts".
#include <string>
#include <vector>

namespace interplay::experiment {

struct MergeOptions {
  bool allow_incomplete = false, force = false;
};

struct MergeSummary {
  std::size_t total = 0, merged = 0;  // points in the config / in the output
};

MergeSummary merge_parts(const std::vector<std::string>& parts, const std::string& output,
                         const MergeOptions& options);

}  // namespace interplay::experiment
