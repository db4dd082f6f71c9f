#pragma once
// The HDF5 results file (schema: experiments/README.md, "Results file schema").
//   /            attributes: schema_version, tool, version, git_commit, build_type,
//                config (JSON), config_file, host, threads, start_time, end_time,
//                runs, points_total, points_done, complete;
//                shard ("K/N", a part written with --shard) and parts (JSON
//                list, the provenance of the parts of a merged file) only when set
//   /points      one 1-d dataset per column (float64, or variable-length UTF-8
//                strings), all of length points_done; attribute "columns" =
//                JSON list of the column names in table order
// Always written whole to a temporary file and renamed into place, so a
// reader (or a killed writer) never sees a half-written file.
#include <cstdint>
#include <string>

#include "core/params.hpp"
#include "experiment/result_table.hpp"

namespace interplay::experiment {

inline constexpr std::int64_t kResultsSchemaVersion = 1;

struct RunInfo {
  json config;
  std::string config_file, host, start_time, end_time;
  std::int64_t threads = 1, runs = 1, points_total = 0;
  bool complete = false;
  std::string version, git_commit;  // as read (written from core/version.hpp)
  std::string shard;                // "K/N" or ""
  json parts;                       // null, or a list of {file, host, ...}
};

void write_results(const std::string& path, const RunInfo& info, const ResultTable& table);

struct LoadedResults {
  RunInfo info;
  ResultTable table;
};
LoadedResults read_results(const std::string& path);

// Removes stale temporaries ".OUT.tmp-*" a killed writer may have left.
void remove_stale_temporaries(const std::string& path);

}  // namespace interplay::experiment
