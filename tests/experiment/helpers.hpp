#pragma once
// Shared helpers for the experiment tests: a scratch directory, running the
// `interplay` binary as a process, and comparing results files.
#include <string>
#include <vector>

#include "experiment/result_table.hpp"

namespace interplay::exptest {

// A fresh directory under /tmp, removed with its contents on destruction.
class ScratchDir {
 public:
  ScratchDir();
  ~ScratchDir();
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

struct ProcessResult {
  int exit_code = -1;
  std::string out, err;
};

// Runs INTERPLAY_BINARY with `args` (no shell), waits, captures both streams.
// A non-zero `file_size_limit` (bytes, RLIMIT_FSIZE with SIGXFSZ ignored)
// makes every write past that size fail with EFBIG, as a full disk would.
ProcessResult run_interplay(const std::vector<std::string>& args, std::size_t file_size_limit = 0);

// Starts INTERPLAY_BINARY in the background; returns its pid. Output is
// discarded, or stderr goes to `err_path` when given.
int spawn_interplay(const std::vector<std::string>& args, const std::string& err_path = "");
int wait_exit_code(int pid);  // -1 if killed by a signal
// As wait_exit_code, but kills the process and returns -2 after `seconds`.
int wait_exit_code_within(int pid, double seconds);

void write_text(const std::string& path, const std::string& text);
std::string read_text(const std::string& path);
bool path_exists(const std::string& path);
std::vector<std::string> list_dir(const std::string& dir);
std::size_t count_lines(const std::string& path);

// Every column equal, numbers bit for bit (NaN == NaN); a message on mismatch.
std::string table_difference(const experiment::ResultTable& a, const experiment::ResultTable& b);

// The small sweep the shard/merge and MPI tests split across parts and ranks:
// A tiny model (trained on first use, next to the config) and a tensor:
// points 0-3 are the model's (S, Q, S->Q, Q->S), 4-7 the tensor's; derived
// gaps pair rows of both kinds.
inline const char* const kModelSweep = R"({
  "inputs": [
    {"name": "mlp", "model": "mlp.h5",
     "train": {"model": "mlp", "arch": {"hidden": [16]}, "images": 600, "epochs": 1},
     "test_images": 200, "probe_images": 32},
    {"name": "g", "distribution": "normal", "shape": [4, 64]}
  ],
  "metrics": ["l1"],
  "derived": {"orthogonality": ["accuracy_drop", "l1"]},
  "sweep": {"sparsity": [{"sparsifier": "nm", "n": 2, "m": 4, "label": "2:4"}], "formats": ["int4"]}
})";

// 2 inputs (3 instances) x (2 S + 3 Q + 2 x 3 x 2 composites) = 51 points;
// derived columns pair rows that different shards hold.
inline const char* const kSmallSweep = R"({
  "name": "shards",
  "inputs": [
    {"name": "normal", "distribution": "normal", "shape": [8, 64], "seeds": [0, 1]},
    {"name": "t3", "distribution": "student_t", "df": 3, "shape": [8, 64], "seed": 4}
  ],
  "metrics": ["l1", "l2sq"],
  "derived": {"orthogonality": ["l1", "l2sq"], "order": ["l1"]},
  "sweep": {
    "sparsity": [{"sparsifier": "magnitude", "fraction": 0.5, "label": "50%"},
                 {"sparsifier": "nm", "n": 2, "m": 4, "label": "2:4"}],
    "formats": ["int4", "mxfp4", "hbfp4"]
  },
  "tables": {
    "gap": {"where": {"order": ["S->Q", "Q->S"]}, "rows": ["format"], "columns": ["sparsity", "order"],
            "values": ["orth_ratio.l1", "order_gap.l1"], "aggregate": "mean", "number_format": ".6g"}
  }
})";

}  // namespace interplay::exptest
