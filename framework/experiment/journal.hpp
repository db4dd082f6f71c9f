#pragma once
// The crash-safe record of finished points, "OUT.journal": one JSON line per
// point, appended and fsync'ed as points finish. A SIGKILL can at worst tear
// the last line, which is ignored on reading. Metric values are stored as the
// hex bit patterns of the doubles, so NaN/Inf and every bit survive.
//   {"interplay_journal": 1, "columns": [...], "start_time": "...", "runs": 2}
//   {"id": "3f2a...", "v": ["3ff0000000000000", ...]}
// With model inputs the header also has "replicates": {"columns": [...],
// "count": B}, and every "v" continues after the column values with B
// test-set bootstrap replicates per named column (ExperimentConfig).
#include <string>
#include <vector>

#include "core/params.hpp"

namespace interplay::experiment {

struct JournalEntry {
  std::string id;
  std::vector<double> values;  // one per metric column, then the replicates (if any)
  std::size_t line = 0;        // in the journal it was read from (for messages)
};

struct JournalContents {
  json header;
  std::vector<JournalEntry> entries;
};

class Journal {
 public:
  static std::string path_for(const std::string& output) { return output + ".journal"; }

  // Complete lines of an existing journal (a torn last line is dropped). Every
  // record is checked: a header with the column list first, then objects
  // with a string "id" and exactly `columns`-many 16-digit hex values; the
  // first bad line is an Error naming the journal and line, and how to go on.
  static JournalContents read(const std::string& path);

  // Atomically replaces `path` with `header` + `entries` and opens it for
  // appending.
  Journal(const std::string& path, const json& header, const std::vector<JournalEntry>& entries);
  ~Journal();
  Journal(const Journal&) = delete;
  Journal& operator=(const Journal&) = delete;

  // Appends and makes the lines durable (fdatasync) before returning.
  void append(const std::vector<JournalEntry>& entries);
  void remove();  // after the results file holds everything

 private:
  std::string path_;
  int fd_ = -1;
};

}  // namespace interplay::experiment
