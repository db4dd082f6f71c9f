// Counterexamples survive HDF5 and JSON and replay bit for bit; a run's
// results do not depend on the number of threads.
#include <catch2/catch.hpp>

#include "io/scratch.hpp"
#include "proofs_check/counterexample_store.hpp"
#include "proofs_check/replay.hpp"
#include "proofs_check/report.hpp"

using namespace interplay;
using namespace interplay::proofs;

namespace {

RunOptions small_run(int threads) {
  RunOptions o;
  o.filter.quantizers = {"mxfp4", "int4_block32"};
  o.filter.sparsifiers = {"2:4", "unstructured50"};
  o.filter.roundings = {"nearest_even"};
  o.threads = threads;
  return o;
}

json without_timing(json j) {
  j.erase("seconds");
  j.erase("threads");
  return j;
}

}  // namespace

TEST_CASE("counterexamples round-trip through HDF5 and JSON and replay", "[proofs]") {
  const RunReport report = run_checks(small_run(2));
  const auto list = all_counterexamples(report);
  REQUIRE(list.size() > 5);
  test::ScratchDir dir;
  const std::string file = dir.path("cex.h5");
  write_counterexamples(file, list);
  const auto stored = read_counterexamples(file);
  REQUIRE(stored.size() == list.size());
  for (std::size_t i = 0; i < list.size(); ++i) {
    const Counterexample& a = *list[i];
    const Counterexample& b = stored[i].counterexample;
    CHECK(b.statement == a.statement);
    CHECK(b.config.id() == a.config.id());
    CHECK(b.x.data == a.x.data);
    CHECK(b.act == a.act);
    CHECK(b.covariance == a.covariance);
    CHECK(b.measurement.value == a.measurement.value);
    const ReplayOutcome r = replay(b);
    INFO(describe_replay(b, r));
    CHECK(r.reproduces);
  }
  // One group by name.
  const auto one = read_counterexamples(file + ":" + stored.back().where.substr(file.size() + 1));
  REQUIRE(one.size() == 1);
  CHECK(replay(one[0].counterexample).reproduces);
  // Every counterexample in the JSON report.
  const auto from_json = counterexamples_from_report(json::parse(report_json(report).dump()));
  CHECK(from_json.size() == list.size());
  for (const auto& [where, c] : from_json) {
    INFO(where);
    CHECK(replay(c).reproduces);
  }
  CHECK(dir.entries() == std::vector<std::string>{"cex.h5"});  // no temporary left behind
}

TEST_CASE("a replay detects a changed counterexample", "[proofs]") {
  const RunReport report = run_checks(small_run(1));
  const auto list = all_counterexamples(report);
  REQUIRE_FALSE(list.empty());
  Counterexample c = *list.front();
  c.measurement.value += 1;  // as if the code under test had changed
  CHECK_FALSE(replay(c).reproduces);
}

TEST_CASE("results do not depend on the number of threads", "[proofs]") {
  CHECK(without_timing(report_json(run_checks(small_run(1)))) ==
        without_timing(report_json(run_checks(small_run(2)))));
}

TEST_CASE("malformed replay inputs are one-line errors naming the file", "[proofs]") {
  test::ScratchDir dir;
  CHECK_THROWS_WITH(read_counterexamples(dir.path("missing.h5")), Catch::Contains("missing.h5"));
  CHECK_THROWS_WITH(counterexamples_from_report(json::object()), Catch::Contains("statements"));
}
