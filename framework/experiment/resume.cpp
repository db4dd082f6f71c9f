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
    const Column& ids = r.table.at("id");
    std::vector<const Column*> cols;
    for (const auto& m : metric_cols) {
      const Column* c = r.table.find(m);
      if (!c || c->text)
        throw Error(output + ": has no metric column '" + m +
                    "'; it was written by a different config "
                    "(use a new --output, or --force to start over)");
      cols.push_back(c);
    }
    for (std::size_t row = 0; row < r.table.rows(); ++row) {
      std::vector<double> v;
      for (const Column* c : cols) v.push_back(c->numbers[row]);
      prev.values[ids.strings[row]] = std::move(v);
    }
  }
  const std::string jpath = Journal::path_for(output);
  if (file_exists(jpath)) {
    JournalContents j = Journal::read(jpath);
    prev.had_journal = true;
    if (j.header.value("columns", json::array()) != json(metric_cols))
      throw Error(jpath + ": records metric columns " +
                  j.header.value("columns", json::array()).dump() + ", this config has " +
                  json(metric_cols).dump() + " (use a new --output, or --force)");
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
