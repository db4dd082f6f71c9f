// The runner's parts on their own: an evaluator gives exactly the values a
// run stores, the thread scheduler stops handing out points after a failure
// and keeps what finished, and the sink's journal holds every recorded point.
#include <catch2/catch.hpp>
#include <cstring>
#include <stdexcept>

#include "experiment/config.hpp"
#include "experiment/evaluators.hpp"
#include "experiment/journal.hpp"
#include "experiment/result_file.hpp"
#include "experiment/result_sink.hpp"
#include "experiment/scheduler.hpp"
#include "helpers.hpp"

using namespace interplay;
using namespace interplay::experiment;
using namespace interplay::exptest;

namespace {

const char* kConfig = R"({
  "name": "parts",
  "inputs": [{"name": "normal", "distribution": "normal", "shape": [8, 64], "seeds": [0, 1]}],
  "activations": [{"name": "x", "distribution": "normal", "rows": 16, "seed": 3}],
  "metrics": ["l1", "l2sq", "output"],
  "sweep": {"sparsity": [{"sparsifier": "nm", "n": 2, "m": 4, "label": "2:4"}],
            "formats": ["int4", "mxfp4"]}
})";

bool same_bits(double a, double b) {
  return std::memcmp(&a, &b, sizeof a) == 0;
}

}  // namespace

TEST_CASE("runner parts: PointEvaluators gives the values the run stores", "[experiment][runner]") {
  ScratchDir dir;
  write_text(dir.file("c.json"), kConfig);
  const std::string ref = dir.file("ref.h5");
  REQUIRE(run_interplay({"run", dir.file("c.json"), "-o", ref, "-q"}).exit_code == 0);
  const auto cfg = load_config(dir.file("c.json"), {}, false);
  const auto points = expand_points(cfg);
  std::vector<std::size_t> all;
  for (const auto& p : points) all.push_back(p.index);
  const PointEvaluators evaluators(cfg, points, all, {});
  const auto table = read_results(ref).table;
  REQUIRE(table.rows() == points.size());
  for (const auto& p : points) {
    const auto v = evaluators.evaluate(p);
    REQUIRE(v.size() == cfg.value_columns.size());
    REQUIRE(table.at("id").strings[p.index] == p.id);
    for (std::size_t m = 0; m < v.size(); ++m)
      CHECK(same_bits(v[m], table.at(cfg.value_columns[m]).numbers[p.index]));
  }
}

TEST_CASE("runner parts: the thread scheduler stops after a failing point and keeps the rest",
          "[experiment][runner]") {
  ScratchDir dir;
  write_text(dir.file("c.json"), kConfig);
  const auto cfg = load_config(dir.file("c.json"), {}, false);
  const auto points = expand_points(cfg);
  std::vector<std::size_t> todo;
  for (const auto& p : points) todo.push_back(p.index);
  const std::string out = dir.file("o.h5");
  RunInfo info;
  info.config = cfg.effective;
  ResultSink sink(cfg, points, result_columns(cfg, points), out, info, {}, points.size(), true,
                  1000.0);
  ScheduleOptions so;
  so.threads = 1;  // in order: points 0..4 finish, point 5 fails, nothing after it runs
  const auto outcome = run_threads(
      points, todo,
      [&](const Point& p) -> std::vector<double> {
        if (p.index == 5) throw std::runtime_error("point 5 fails");
        return std::vector<double>(cfg.point_value_count(), double(p.index));
      },
      sink, so);
  CHECK(outcome.error == "point 5 fails");
  CHECK(outcome.finished == 5);
  CHECK(outcome.signal == 0);
  CHECK(sink.recorded() == 5);
  const auto journal = Journal::read(Journal::path_for(out));
  REQUIRE(journal.entries.size() == 5);
  for (std::size_t i = 0; i < 5; ++i) {
    CHECK(journal.entries[i].id == points[i].id);
    CHECK(journal.entries[i].values.front() == double(i));
  }
  sink.save_partial();
  const auto partial = read_results(out);
  CHECK(partial.table.rows() == 5);
  CHECK_FALSE(partial.info.complete);
}
