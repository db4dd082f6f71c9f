// `interplay run` / `interplay table` as processes: thread-count independent
// results, refusal to overwrite or to share an output, SIGKILL + --resume,
// and bad configs that exit non-zero with one line and touch no file.
#include <signal.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <set>
#include <thread>

#include "experiment/result_file.hpp"
#include "helpers.hpp"

using namespace interplay;
using namespace interplay::exptest;

namespace {

// 3 inputs x (2 S + 3 Q + 2 x 3 x 2 composites) = 51 points.
const char* kConfig = R"({
  "name": "small",
  "inputs": [
    {"name": "normal", "distribution": "normal", "shape": [8, 64], "seeds": [0, 1]},
    {"name": "t3", "distribution": "student_t", "df": 3, "shape": [8, 64], "seed": 4,
     "outliers": {"fraction": 0.01, "magnitude": [10, 20]}}
  ],
  "metrics": ["l1", "l2sq", "sqnr_db"],
  "derived": {"orthogonality": ["l1", "l2sq"], "order": ["l1"]},
  "sweep": {
    "sparsity": [{"sparsifier": "magnitude", "fraction": 0.5, "label": "50%"},
                 {"sparsifier": "nm", "n": 2, "m": 4, "label": "2:4"}],
    "formats": ["int4", "mxfp4", "hbfp4"]
  },
  "tables": {
    "gap": {"where": {"order": ["S->Q", "Q->S"]}, "rows": ["format"], "columns": ["sparsity", "order"],
            "values": ["orth_ratio.l1"], "aggregate": "max", "number_format": ".4f",
            "highlight": [{"when": "> 1", "style": "bold"}]}
  }
})";
constexpr std::size_t kPoints = 51;

experiment::ResultTable table_of(const std::string& h5) {
  return experiment::read_results(h5).table;
}

bool one_error_line(const ProcessResult& r) {
  return r.exit_code != 0 && r.err.rfind("interplay: error: ", 0) == 0 &&
         r.err.find('\n') == r.err.size() - 1;
}

// Waits until the journal of `out` holds at least `lines` point lines.
bool wait_for_journal(const std::string& out, std::size_t lines) {
  for (int i = 0; i < 3000; ++i) {
    if (path_exists(out + ".journal") && count_lines(out + ".journal") >= lines + 1) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return false;
}

}  // namespace

TEST_CASE("run: same results for any thread count; table from the file alone", "[experiment]") {
  ScratchDir dir;
  const std::string cfg = dir.file("small.json");
  write_text(cfg, kConfig);
  auto r1 = run_interplay({"run", cfg, "-o", dir.file("a.h5"), "--threads", "1", "-q"});
  REQUIRE(r1.exit_code == 0);
  auto r3 = run_interplay({"run", cfg, "-o", dir.file("b.h5"), "--threads", "3", "-q"});
  REQUIRE(r3.exit_code == 0);
  const auto a = experiment::read_results(dir.file("a.h5"));
  CHECK(a.table.rows() == kPoints);
  CHECK(a.info.complete);
  CHECK(a.info.points_total == std::int64_t(kPoints));
  CHECK(a.info.config["name"] == "small");
  CHECK(table_difference(a.table, table_of(dir.file("b.h5"))).empty());
  // Journal and lock are gone after a complete run.
  CHECK_FALSE(path_exists(dir.file("a.h5.journal")));
  CHECK_FALSE(path_exists(dir.file("a.h5.lock")));
  // Ids are unique; S->Q under nested partitions is sub-additive in L1 (T1).
  std::set<std::string> ids(a.table.at("id").strings.begin(), a.table.at("id").strings.end());
  CHECK(ids.size() == kPoints);
  const auto& order = a.table.at("order").strings;
  const auto& gap = a.table.at("orth_gap.l1").numbers;
  for (std::size_t r = 0; r < a.table.rows(); ++r)
    if (order[r] == "S->Q") CHECK(gap[r] <= 1e-9 * a.table.at("l1").numbers[r]);

  const auto md = run_interplay({"table", dir.file("a.h5"), "--table", "gap"});
  REQUIRE(md.exit_code == 0);
  CHECK(md.out == run_interplay({"table", dir.file("b.h5")}).out);
  CHECK(md.out.find("| format | 50% / S->Q | 50% / Q->S | 2:4 / S->Q | 2:4 / Q->S |") !=
        std::string::npos);
  CHECK(run_interplay({"table", dir.file("a.h5"), "--format", "latex"}).out.find("\\toprule") !=
        std::string::npos);
  const auto bad = run_interplay({"table", dir.file("a.h5"), "--table", "gpa"});
  CHECK(one_error_line(bad));
  CHECK(bad.err.find("unknown table 'gpa'; did you mean 'gap'?") != std::string::npos);

  // An existing output is never overwritten without --force, nor resumed into duplicates.
  const std::string before = read_text(dir.file("a.h5"));
  const auto again = run_interplay({"run", cfg, "-o", dir.file("a.h5"), "-q"});
  CHECK(one_error_line(again));
  CHECK(again.err.find("already exists; use --resume") != std::string::npos);
  CHECK(read_text(dir.file("a.h5")) == before);
  const auto resumed = run_interplay({"run", cfg, "-o", dir.file("a.h5"), "--resume"});
  CHECK(resumed.exit_code == 0);
  CHECK(resumed.err.find("already done") != std::string::npos);
  CHECK(read_text(dir.file("a.h5")) == before);
  // A different config on the same output is refused on resume.
  const auto other =
      run_interplay({"run", cfg, "-o", dir.file("a.h5"), "--resume", "--set", "metrics=[\"l1\"]"});
  CHECK(one_error_line(other));
  CHECK(read_text(dir.file("a.h5")) == before);
}

TEST_CASE("run: SIGKILL at any moment, then --resume, equals an uninterrupted run",
          "[experiment]") {
  ScratchDir dir;
  const std::string cfg = dir.file("small.json");
  write_text(cfg, kConfig);
  REQUIRE(run_interplay({"run", cfg, "-o", dir.file("ref.h5"), "-q"}).exit_code == 0);
  const std::string out = dir.file("killed.h5");
  const std::vector<std::string> slow{
      "run", cfg, "-o", out, "--threads", "2", "--delay-ms", "40", "--flush-seconds", "0", "-q"};

  // First attempt: killed after a few points. A second writer is refused meanwhile.
  int pid = spawn_interplay(slow);
  REQUIRE(wait_for_journal(out, 4));
  const auto rival = run_interplay({"run", cfg, "-o", out, "--resume", "-q"});
  CHECK(one_error_line(rival));
  CHECK(rival.err.find("another `interplay run` is writing this file") != std::string::npos);
  ::kill(pid, SIGKILL);
  CHECK(wait_exit_code(pid) == -1);
  CHECK(path_exists(out + ".journal"));

  // Without --resume the partial output is not touched.
  CHECK(one_error_line(run_interplay({"run", cfg, "-o", out, "-q"})));

  // Second attempt resumes and is killed again further on.
  std::vector<std::string> resume = slow;
  resume.push_back("--resume");
  const std::size_t first = count_lines(out + ".journal") - 1;
  pid = spawn_interplay(resume);
  REQUIRE(wait_for_journal(out, first + 6));
  ::kill(pid, SIGKILL);
  CHECK(wait_exit_code(pid) == -1);
  if (path_exists(out)) CHECK(experiment::read_results(out).table.rows() < kPoints);

  // A torn journal line (a kill inside write) is ignored.
  write_text(out + ".journal", read_text(out + ".journal") + "{\"id\":\"0123");
  const auto done = run_interplay({"run", cfg, "-o", out, "--resume", "--threads", "3"});
  REQUIRE(done.exit_code == 0);
  CHECK(done.err.find("from before") != std::string::npos);
  const auto result = experiment::read_results(out);
  CHECK(result.info.complete);
  CHECK(result.info.runs == 3);
  CHECK(table_difference(result.table, table_of(dir.file("ref.h5"))).empty());
  CHECK_FALSE(path_exists(out + ".journal"));
  for (const auto& name : list_dir(dir.path())) CHECK(name.find(".tmp") == std::string::npos);
}

TEST_CASE("run: bad configs exit non-zero with one line and create no file", "[experiment]") {
  ScratchDir dir;
  const json good = json::parse(kConfig);
  const std::string out = dir.file("out.h5");
  struct Case {
    std::string name, config_text, expect;
  };
  auto edit = [&](auto f) {
    json c = good;
    f(c);
    return c.dump();
  };
  const std::vector<Case> cases{
      {"malformed JSON", "{\"inputs\": [\n  {\"name\": }\n]}", "bad.json:2:12: invalid JSON"},
      {"unknown key", edit([](json& c) { c["sweep"]["fromats"] = c["sweep"]["formats"]; }),
       "sweep: unknown key 'fromats'; did you mean 'formats'?"},
      {"wrong type", edit([](json& c) { c["inputs"][0]["seeds"] = "0"; }),
       "inputs[0].seeds: expected a list, got a string \"0\""},
      {"out of range", edit([](json& c) { c["sweep"]["sparsity"][0]["fraction"] = 1.5; }),
       "sweep.sparsity[0].fraction: value 1.5 is out of range 0..1"},
      {"unknown plugin", edit([](json& c) { c["sweep"]["formats"][1] = "mxfp5"; }),
       "sweep.formats[1]: unknown quantizer 'mxfp5'; did you mean 'mxfp4'?"},
      {"missing input file", edit([](json& c) {
         c["inputs"][1] = {{"name", "w"}, {"file", "missing.npy"}};
       }),
       "inputs[1].file: file '" + dir.path() + "/missing.npy' not found"},
      {"bad table", edit([](json& c) { c["tables"]["gap"]["values"] = {"orth_ratio.l3"}; }),
       "tables.gap.values[0]: unknown column 'orth_ratio.l3'"},
  };
  for (const auto& c : cases) {
    INFO(c.name);
    write_text(dir.file("bad.json"), c.config_text);
    const auto r = run_interplay({"run", dir.file("bad.json"), "-o", out});
    CHECK(one_error_line(r));
    CHECK(r.err.find(c.expect) != std::string::npos);
    CHECK(list_dir(dir.path()) == std::vector<std::string>{"bad.json"});
  }
  // Unwritable output: a missing directory.
  write_text(dir.file("bad.json"), kConfig);
  const auto r = run_interplay({"run", dir.file("bad.json"), "-o", dir.file("nodir/out.h5")});
  CHECK(one_error_line(r));
  CHECK(r.err.find("does not exist") != std::string::npos);
  CHECK(list_dir(dir.path()) == std::vector<std::string>{"bad.json"});
  // A bad config never modifies an existing output either.
  REQUIRE(run_interplay({"run", dir.file("bad.json"), "-o", out, "-q"}).exit_code == 0);
  const std::string before = read_text(out);
  write_text(dir.file("bad2.json"), edit([](json& c) { c["metrics"] = {"l9"}; }));
  CHECK(one_error_line(run_interplay({"run", dir.file("bad2.json"), "-o", out, "--force"})));
  CHECK(read_text(out) == before);
}
