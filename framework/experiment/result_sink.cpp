#include "experiment/result_sink.hpp"

#include <unistd.h>

#include <ctime>

#include "core/error.hpp"
#include "experiment/point_rows.hpp"

namespace interplay::experiment {
namespace {

json journal_header(const ExperimentConfig& cfg, const RunInfo& info) {
  json h{{"interplay_journal", 1},
         {"columns", cfg.value_columns},
         {"start_time", info.start_time},
         {"runs", info.runs},
         {"config_file", cfg.file}};
  if (!cfg.replicate_columns.empty()) h["replicates"] = replicates_header(cfg);
  // A shard's journal says which share it holds, so --resume cannot mix shares.
  if (!info.shard.empty()) h["shard"] = info.shard;
  return h;
}

std::vector<JournalEntry> carried_entries(const std::vector<Point>& points,
                                          const ValuesById& done) {
  std::vector<JournalEntry> carried;
  for (const auto& p : points)
    if (done.count(p.id)) carried.push_back({p.id, done.at(p.id)});
  return carried;
}

}  // namespace

std::string now_iso8601() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string host_name() {
  char buf[256] = {0};
  if (::gethostname(buf, sizeof buf - 1) != 0) return "unknown";
  return buf;
}

ResultSink::ResultSink(const ExperimentConfig& cfg, const std::vector<Point>& points,
                       std::vector<ColumnDef> columns, std::string output, RunInfo info,
                       ValuesById done, std::size_t total, bool quiet, double flush_seconds)
    : cfg_(cfg),
      points_(points),
      columns_(std::move(columns)),
      output_(std::move(output)),
      info_(std::move(info)),
      done_(std::move(done)),
      already_done_(done_.size()),
      flush_seconds_(flush_seconds),
      journal_(Journal::path_for(output_), journal_header(cfg, info_),
               carried_entries(points, done_)),
      progress_(total, already_done_, quiet),
      last_flush_(std::chrono::steady_clock::now()) {}

void ResultSink::record(std::vector<FinishedPoint> batch) {
  std::vector<JournalEntry> entries;
  for (auto& f : batch) entries.push_back({points_[f.point].id, std::move(f.values)});
  journal_.append(entries);
  for (auto& e : entries) done_[e.id] = std::move(e.values);
  recorded_ += entries.size();
  unflushed_ += entries.size();
  progress_.update(already_done_ + recorded_);
}

void ResultSink::flush_if_due() {
  const auto now = std::chrono::steady_clock::now();
  if (unflushed_ && std::chrono::duration<double>(now - last_flush_).count() >= flush_seconds_) {
    materialise(false);
    last_flush_ = now, unflushed_ = 0;
  }
}

void ResultSink::save_partial() {
  materialise(false);
  unflushed_ = 0;
}

void ResultSink::save_complete() {
  materialise(true);
  journal_.remove();
  progress_.finish(already_done_ + recorded_);
}

// A failed write (a full disk) leaves the previous results file and the
// journal as they were; the journal holds every finished point.
void ResultSink::materialise(bool complete) {
  info_.complete = complete;
  info_.end_time = complete ? now_iso8601() : "";
  try {
    write_results(output_, info_, build_points_table(cfg_, points_, columns_, done_));
  } catch (const Error& e) {
    throw Error(std::string(e.what()) + " (" + std::to_string(done_.size()) +
                " finished points are kept in " + Journal::path_for(output_) +
                "; free space and rerun with --resume)");
  }
}

}  // namespace interplay::experiment
