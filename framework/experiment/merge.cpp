#include "experiment/merge.hpp"

#include <sys/stat.h>

#include <map>
#include <set>

#include "core/error.hpp"
#include "experiment/journal.hpp"
#include "experiment/point_rows.hpp"
#include "experiment/result_file.hpp"
#include "experiment/result_sink.hpp"
#include "experiment/resume.hpp"
#include "experiment/run_lock.hpp"
#include "io/atomic_output.hpp"

namespace interplay::experiment {
namespace {

bool file_exists(const std::string& p) {
  struct stat st {};
  return ::stat(p.c_str(), &st) == 0;
}

std::string dir_of(const std::string& file) {
  const std::size_t slash = file.rfind('/');
  return slash == std::string::npos ? std::string() : file.substr(0, slash);
}

// "3 points missing: 4, 7, 9" (at most 10 listed).
std::string missing_message(const std::vector<std::size_t>& missing) {
  std::string s = std::to_string(missing.size()) + " point(s) of the config are in no part (index ";
  for (std::size_t i = 0; i < missing.size() && i < 10; ++i)
    s += (i ? ", " : "") + std::to_string(missing[i]);
  return s + (missing.size() > 10 ? ", ...)" : ")");
}

// "; shard 2/3 is not among the parts" when every part is a share of the same N.
std::string absent_shards(const std::vector<LoadedResults>& parts) {
  std::set<std::string> given;
  std::string n;
  for (const auto& p : parts) {
    const auto slash = p.info.shard.find('/');
    if (slash == std::string::npos) return "";
    if (!n.empty() && p.info.shard.substr(slash + 1) != n) return "";
    n = p.info.shard.substr(slash + 1);
    given.insert(p.info.shard);
  }
  std::string absent;
  for (unsigned long k = 1; k <= std::stoul(n); ++k)
    if (!given.count(std::to_string(k) + "/" + n))
      absent += (absent.empty() ? "" : ", ") + std::to_string(k) + "/" + n;
  return absent.empty() ? "" : "; shard(s) " + absent + " not among the parts";
}

}  // namespace

MergeSummary merge_parts(const std::vector<std::string>& parts, const std::string& output,
                         const MergeOptions& options) {
  if (parts.empty()) throw Error("interplay merge: no part files given");
  if (output.empty()) throw Error("interplay merge: --output is required");
  io::check_output_path(output);
  io::check_output_not_input(output, parts);

  std::vector<LoadedResults> loaded;
  for (const auto& part : parts) {
    // An unfinished shard has points only in its journal: merging now would
    // silently drop them.
    if (file_exists(Journal::path_for(part)) && !options.allow_incomplete)
      throw Error(part + ": its run is unfinished (" + Journal::path_for(part) +
                  " exists); finish it with interplay run ... --output " + part +
                  " --resume, or pass --allow-incomplete");
    loaded.push_back(read_results(part));
    const RunInfo& first = loaded.front().info;
    const RunInfo& info = loaded.back().info;
    if (info.config != first.config)
      throw Error(part + ": was run with a different effective config than " + parts.front() +
                  " (parts must come from the same config, --set and --reduce included)");
    if (info.version != first.version || info.git_commit != first.git_commit)
      throw Error(part + ": written by interplay " + info.version + " (" + info.git_commit + "), " +
                  parts.front() + " by " + first.version + " (" + first.git_commit +
                  "); parts must come from the same version");
  }

  const RunInfo& first = loaded.front().info;
  ExperimentConfig cfg;
  std::vector<Point> points;
  try {
    cfg = parse_config(first.config, first.config_file, dir_of(first.config_file));
    points = expand_points(cfg);
  } catch (const std::exception& e) {
    throw Error(parts.front() + ": cannot expand its config again (" + e.what() +
                "); run merge where the run found the config's inputs");
  }
  std::map<std::string, std::size_t> index_of;
  for (const auto& p : points) index_of[p.id] = p.index;

  ValuesById values;
  std::map<std::string, std::size_t> owner;  // point id -> part
  json provenance = json::array();
  std::string start_time, end_time;
  std::int64_t threads = 0, runs = 0;
  for (std::size_t k = 0; k < loaded.size(); ++k) {
    const auto& [info, table] = loaded[k];
    // Value columns and any per-point replicate arrays, as a resume reads them.
    for (auto& [id, v] : values_from_table(table, cfg, parts[k])) {
      if (!index_of.count(id))
        throw Error(parts[k] + ": point " + id + " is not a point of its config");
      if (const auto o = owner.find(id); o != owner.end())
        throw Error(parts[k] + ": point " + std::to_string(index_of[id]) + " (" + id +
                    ") is also in " + parts[o->second] + "; parts must be disjoint");
      owner[id] = k;
      values[id] = std::move(v);
    }
    provenance.push_back({{"file", parts[k]},
                          {"shard", info.shard},
                          {"host", info.host},
                          {"start_time", info.start_time},
                          {"end_time", info.end_time},
                          {"runs", info.runs},
                          {"threads", info.threads},
                          {"points", table.rows()},
                          {"complete", info.complete}});
    if (start_time.empty() || (!info.start_time.empty() && info.start_time < start_time))
      start_time = info.start_time;
    if (info.end_time > end_time) end_time = info.end_time;
    threads += info.threads;
    runs += info.runs;
  }
  std::vector<std::size_t> missing;
  for (const auto& p : points)
    if (!values.count(p.id)) missing.push_back(p.index);
  if (!missing.empty() && !options.allow_incomplete)
    throw Error(output + ": not written: " + missing_message(missing) + absent_shards(loaded) +
                "; run the missing shard(s), or pass --allow-incomplete");

  RunLock lock(output);
  if (file_exists(output) && !options.force)
    throw Error(output + ": already exists; use --force to overwrite it");
  RunInfo info;
  info.config = first.config;
  info.config_file = first.config_file;
  info.host = host_name();
  info.start_time = start_time;
  info.end_time = missing.empty() ? end_time : "";
  info.runs = runs;
  info.threads = threads;
  info.points_total = std::int64_t(points.size());
  info.complete = missing.empty();
  info.parts = provenance;
  write_results(output, info, build_points_table(cfg, points, result_columns(cfg, points), values));
  return {points.size(), values.size()};
}

}  // namespace interplay::experiment
