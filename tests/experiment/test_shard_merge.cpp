// `interplay run --shard K/N` and `interplay merge`: three shards merged give
// the file of an unsharded run (every column bit for bit, the same tables);
// merge refuses parts from another config, overlapping or missing parts, and
// unfinished ones, with one line naming the file.
#include <signal.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <set>
#include <thread>

#include "experiment/config.hpp"
#include "experiment/result_file.hpp"
#include "experiment/runner.hpp"
#include "experiment/scheduler.hpp"
#include "helpers.hpp"

using namespace interplay;
using namespace interplay::exptest;

namespace {

constexpr std::size_t kPoints = 51;

bool one_error_line(const ProcessResult& r, const std::string& names) {
  return r.exit_code != 0 && r.err.rfind("interplay: error: ", 0) == 0 &&
         r.err.find('\n') == r.err.size() - 1 && r.err.find(names) != std::string::npos;
}

struct Shards {
  ScratchDir dir;
  std::string cfg = dir.file("shards.json"), ref = dir.file("ref.h5");
  std::vector<std::string> parts;
  Shards() {
    write_text(cfg, kSmallSweep);
    REQUIRE(run_interplay({"run", cfg, "-o", ref, "-q", "--threads", "2"}).exit_code == 0);
    for (int k = 1; k <= 3; ++k) {
      parts.push_back(dir.file("part-" + std::to_string(k) + ".h5"));
      REQUIRE(run_interplay({"run", cfg, "--shard", std::to_string(k) + "/3", "-o", parts.back(),
                             "-q", "--threads", "1"})
                  .exit_code == 0);
    }
  }
  ProcessResult merge(std::vector<std::string> files, const std::string& out,
                      std::vector<std::string> extra = {}) const {
    std::vector<std::string> args{"merge"};
    args.insert(args.end(), files.begin(), files.end());
    args.insert(args.end(), {"--output", out, "-q"});
    args.insert(args.end(), extra.begin(), extra.end());
    return run_interplay(args);
  }
};

}  // namespace

TEST_CASE("shard: 3 shards merged equal the unsharded run, column for column and table for table",
          "[experiment][shard]") {
  Shards s;
  std::set<std::string> seen;
  std::size_t rows = 0;
  for (int k = 0; k < 3; ++k) {
    const auto part = experiment::read_results(s.parts[std::size_t(k)]);
    CHECK(part.info.shard == std::to_string(k + 1) + "/3");
    CHECK(part.info.complete);
    rows += part.table.rows();
    CHECK(part.table.rows() >= kPoints / 3);  // balanced: 17 each
    CHECK(part.table.rows() <= kPoints / 3 + 1);
    for (const auto& id : part.table.at("id").strings) CHECK(seen.insert(id).second);
  }
  CHECK(rows == kPoints);

  const std::string merged = s.dir.file("merged.h5");
  // Any order of the parts gives the same file.
  REQUIRE(s.merge({s.parts[2], s.parts[0], s.parts[1]}, merged).exit_code == 0);
  const auto m = experiment::read_results(merged);
  const auto ref = experiment::read_results(s.ref);
  CHECK(table_difference(m.table, ref.table).empty());
  CHECK(m.table.rows() == kPoints);
  CHECK(m.info.complete);
  CHECK(m.info.config == ref.info.config);
  CHECK(m.info.shard.empty());
  REQUIRE(m.info.parts.is_array());
  REQUIRE(m.info.parts.size() == 3);
  CHECK(m.info.parts[0]["file"] == s.parts[2]);
  CHECK(m.info.parts[0]["shard"] == "3/3");
  CHECK(m.info.parts[0].contains("host"));
  CHECK(m.info.parts[0].contains("end_time"));
  for (const char* format : {"md", "csv", "latex"}) {
    CAPTURE(format);
    const auto a = run_interplay({"table", merged, "--format", format});
    const auto b = run_interplay({"table", s.ref, "--format", format});
    REQUIRE(a.exit_code == 0);
    CHECK(a.out == b.out);
    CHECK(a.out.find("nan") == std::string::npos);  // derived pairs found across shards
  }
  // The merged file continues like any finished run.
  CHECK(run_interplay({"run", s.cfg, "-o", merged, "-q", "--resume"}).exit_code == 0);
  CHECK(table_difference(experiment::read_results(merged).table, ref.table).empty());
}

TEST_CASE("shard: merge refuses missing, overlapping, foreign and unfinished parts",
          "[experiment][shard]") {
  Shards s;
  const std::string out = s.dir.file("m.h5");
  auto r = s.merge({s.parts[0], s.parts[2]}, out);
  CHECK(one_error_line(r, out));
  CHECK(r.err.find("in no part") != std::string::npos);
  CHECK_FALSE(path_exists(out));

  r = s.merge({s.parts[0], s.parts[1], s.parts[0]}, out);
  CHECK(one_error_line(r, s.parts[0] + ": point "));
  CHECK(r.err.find("also in " + s.parts[0]) != std::string::npos);
  CHECK_FALSE(path_exists(out));

  const std::string other = s.dir.file("other.h5");
  REQUIRE(run_interplay(
              {"run", s.cfg, "--shard", "2/3", "-o", other, "-q", "--set", "inputs[0].seeds=[0,2]"})
              .exit_code == 0);
  r = s.merge({s.parts[0], other, s.parts[2]}, out);
  CHECK(one_error_line(r, other + ": was run with a different effective config"));
  CHECK_FALSE(path_exists(out));

  r = s.merge({s.parts[0], s.parts[1], s.parts[2]}, s.parts[1]);
  CHECK(one_error_line(r, "is also an input"));

  // Incomplete on purpose: the file says so and holds the parts' rows.
  REQUIRE(s.merge({s.parts[0], s.parts[2]}, out, {"--allow-incomplete"}).exit_code == 0);
  const auto partial = experiment::read_results(out);
  CHECK_FALSE(partial.info.complete);
  CHECK(partial.table.rows() == experiment::read_results(s.parts[0]).table.rows() +
                                    experiment::read_results(s.parts[2]).table.rows());
  r = s.merge({s.parts[0], s.parts[1], s.parts[2]}, out);
  CHECK(one_error_line(r, out + ": already exists"));
  CHECK(s.merge({s.parts[0], s.parts[1], s.parts[2]}, out, {"--force"}).exit_code == 0);
  CHECK(table_difference(experiment::read_results(out).table, experiment::read_results(s.ref).table)
            .empty());

  // A shard interrupted mid-run: merge names it; after --resume it merges.
  const std::string slow = s.dir.file("slow.h5");
  const int pid = spawn_interplay(
      {"run", s.cfg, "--shard", "2/3", "-o", slow, "--threads", "1", "--delay-ms", "40", "-q"});
  for (int i = 0;
       i < 3000 && !(path_exists(slow + ".journal") && count_lines(slow + ".journal") > 3); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  ::kill(pid, SIGKILL);
  wait_exit_code(pid);
  r = s.merge({s.parts[0], slow, s.parts[2]}, s.dir.file("m2.h5"));
  CHECK(one_error_line(r, slow + ": its run is unfinished"));
  // Resuming with another share is refused: the file holds shard 2/3.
  CHECK(one_error_line(
      run_interplay({"run", s.cfg, "--shard", "1/3", "-o", slow, "-q", "--resume"}), "shard 2/3"));
  CHECK(one_error_line(run_interplay({"run", s.cfg, "-o", slow, "-q", "--resume"}), slow));
  REQUIRE(run_interplay({"run", s.cfg, "--shard", "2/3", "-o", slow, "-q", "--resume"}).exit_code ==
          0);
  REQUIRE(s.merge({s.parts[0], slow, s.parts[2]}, s.dir.file("m2.h5")).exit_code == 0);
  CHECK(table_difference(experiment::read_results(s.dir.file("m2.h5")).table,
                         experiment::read_results(s.ref).table)
            .empty());
}

TEST_CASE("shard: --shard is validated and the shares partition the points",
          "[experiment][shard]") {
  ScratchDir dir;
  const std::string cfg_file = dir.file("c.json");
  write_text(cfg_file, kSmallSweep);
  for (const char* bad : {"0/3", "4/3", "3", "a/b", "1/0", "-1/3", "1/3/4"}) {
    CAPTURE(bad);
    const auto r = run_interplay({"run", cfg_file, "--shard", bad, "-o", dir.file("o.h5")});
    CHECK(one_error_line(r, "--shard"));
    CHECK_FALSE(path_exists(dir.file("o.h5")));
  }
  const auto cfg = experiment::load_config(cfg_file, {}, false);
  const auto points = experiment::expand_points(cfg);
  for (unsigned n : {1u, 2u, 3u, 7u, 60u}) {
    CAPTURE(n);
    std::vector<int> owner(points.size(), 0);
    for (unsigned k = 1; k <= n; ++k) {
      const auto share = experiment::shard_points(cfg, points, k, n);
      CHECK(share.size() >= points.size() / n);  // equal costs: sizes differ by at most one
      CHECK(share.size() <= points.size() / n + 1);
      for (const auto i : share) ++owner[i];
    }
    for (const int o : owner) CHECK(o == 1);
  }
  // --dry-run lists just the share.
  const auto dry = run_interplay({"run", cfg_file, "--shard", "3/3", "--dry-run"});
  CHECK(dry.out.find("\n17 points\n") != std::string::npos);
}

TEST_CASE(
    "shard: model points (with their test-set replicates) are spread by cost and merge intact",
    "[experiment][shard]") {
  ScratchDir dir;
  const std::string cfg = dir.file("m.json");
  // Points 0-3 are the model's (S, Q, S->Q, Q->S), 4-7 the tensor's.
  write_text(cfg, kModelSweep);
  const std::string ref = dir.file("ref.h5");
  REQUIRE(run_interplay({"run", cfg, "-o", ref, "-q", "--threads", "2"}).exit_code == 0);
  std::vector<std::string> parts;
  for (int k = 1; k <= 3; ++k) {
    parts.push_back(dir.file("p" + std::to_string(k) + ".h5"));
    REQUIRE(run_interplay({"run", cfg, "--shard", std::to_string(k) + "/3", "-o", parts.back(),
                           "-q", "--threads", "1"})
                .exit_code == 0);
  }
  // Cost rule (model 1000, tensor 1): share 1 gets two model points and no
  // tensor point; index mod 3 would have given it points 0, 3 and 6.
  const auto p1 = experiment::read_results(parts[0]).table;
  REQUIRE(p1.rows() == 2);
  CHECK(p1.at("input").strings == std::vector<std::string>{"mlp", "mlp"});
  CHECK(experiment::read_results(parts[1]).table.rows() == 3);

  const std::string merged = dir.file("merged.h5");
  REQUIRE(run_interplay({"merge", parts[0], parts[1], parts[2], "-o", merged, "-q"}).exit_code ==
          0);
  const auto m = experiment::read_results(merged).table;
  const auto r = experiment::read_results(ref).table;
  REQUIRE(r.replicate_count() > 0);  // the test is about them
  CHECK(m.replicate_count() == r.replicate_count());
  CHECK(table_difference(m, r).empty());
}
