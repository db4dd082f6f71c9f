#include "experiment/resume.hpp"

#include <sys/stat.h>

#include <algorithm>

#include "core/error.hpp"
#include "experiment/journal.hpp"
#include "experiment/result_file.hpp"

namespace interplay::experiment {
namespace {

bool file_exists(const std::string& p) {
  struct stat st {};
  return ::stat(p.c_str(), &st) == 0;
}

}  // namespace

json replicates_header(const ExperimentConfig& cfg) {
  if (cfg.replicate_columns.empty()) return json();
  return {{"columns", cfg.replicate_columns}, {"count", cfg.replicate_count}};
}

ValuesById values_from_table(const ResultTable& table, const ExperimentConfig& cfg,
                             const std::string& file) {
  const Column& ids = table.at("id");
  std::vector<const Column*> cols;
  for (const auto& m : cfg.value_columns) {
    const Column* c = table.find(m);
    if (!c || c->text)
      throw Error(file + ": has no metric column '" + m +
                  "'; it was written by a different config "
                  "(use a new --output, or --force to start over)");
    cols.push_back(c);
  }
  std::vector<const Column*> reps;
  for (const auto& m : cfg.replicate_columns) {
    const Column* c = table.find(m);
    if (!c || c->replicates.empty() || table.replicate_count() != cfg.replicate_count)
      throw Error(file + ": has no " + std::to_string(cfg.replicate_count) +
                  " test-set replicates of '" + m +
                  "'; it was written by a different config or version "
                  "(use a new --output, or --force to start over)");
    reps.push_back(c);
  }
  ValuesById values;
  for (std::size_t row = 0; row < table.rows(); ++row) {
    std::vector<double> v;
    v.reserve(cfg.point_value_count());
    for (const Column* c : cols) v.push_back(c->numbers[row]);
    for (const Column* c : reps) {
      const double* x = table.replicates(*c, row);
      v.insert(v.end(), x, x + cfg.replicate_count);
    }
    values[ids.strings[row]] = std::move(v);
  }
  return values;
}

Previous load_previous(const std::string& output, const ExperimentConfig& cfg,
                       const std::vector<Point>& points) {
  Previous prev;
  const auto& metric_cols = cfg.value_columns;
  if (file_exists(output)) {
    LoadedResults r = read_results(output);
    prev.had_results = true;
    prev.start_time = r.info.start_time;
    prev.runs = r.info.runs;
    prev.shard = r.info.shard;
    prev.values = values_from_table(r.table, cfg, output);
  }
  const std::string jpath = Journal::path_for(output);
  if (file_exists(jpath)) {
    JournalContents j = Journal::read(jpath);
    prev.had_journal = true;
    if (j.header.value("columns", json::array()) != json(metric_cols) ||
        j.header.value("replicates", json()) != replicates_header(cfg))
      throw Error(
          jpath + ": records metric columns " + j.header.value("columns", json::array()).dump() +
          (j.header.contains("replicates") ? " with replicates" : "") + ", this config has " +
          json(metric_cols).dump() + (cfg.replicate_columns.empty() ? "" : " with replicates") +
          " (use a new --output, or --force)");
    prev.start_time = j.header.value("start_time", prev.start_time);
    prev.runs = std::max(prev.runs, j.header.value("runs", std::int64_t(0)));
    prev.shard = j.header.value("shard", prev.shard);
    std::map<std::string, bool> known;
    for (const auto& p : points) known[p.id] = true;
    for (auto& e : j.entries) {
      if (!known.count(e.id))
        throw Error(jpath + ":" + std::to_string(e.line) + ": point '" + e.id +
                    "' is not produced by this config (was the config edited? use a new "
                    "--output, or --force to start over)");
      prev.values[e.id] = std::move(e.values);
    }
  }
  std::map<std::string, bool> known;
  for (const auto& p : points) known[p.id] = true;
  std::size_t stale = 0;
  for (const auto& [id, v] : prev.values) stale += !known.count(id);
  if (stale)
    throw Error(output + ": holds " + std::to_string(stale) +
                " point(s) that this config does not produce; it was written by a different config "
                "(use a new --output, or --force to start over)");
  return prev;
}

}  // namespace interplay::experiment
