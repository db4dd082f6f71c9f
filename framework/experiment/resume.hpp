#pragma once
// What a previous run of the same output finished: the HDF5 file (complete or
// periodic) and the journal (every point since). --resume skips these ids.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "experiment/config.hpp"
#include "experiment/result_table.hpp"

namespace interplay::experiment {

using ValuesById = std::map<std::string, std::vector<double>>;

struct Previous {
  ValuesById values;
  std::string start_time;
  std::string shard;  // "K/N" of a sharded output, "" otherwise
  std::int64_t runs = 0;
  bool had_journal = false, had_results = false;
};

// The stored vector of every row of a results table (value columns, then the
// replicates of cfg.replicate_columns), by point id. Errors name `file`.
ValuesById values_from_table(const ResultTable& table, const ExperimentConfig& cfg,
                             const std::string& file);

// The journal header's record of the replicates a model point appends (null
// without model inputs).
json replicates_header(const ExperimentConfig& cfg);

// Errors (a file or journal written by another config) name the file and say
// how to go on.
Previous load_previous(const std::string& output, const ExperimentConfig& cfg,
                       const std::vector<Point>& points);

}  // namespace interplay::experiment
