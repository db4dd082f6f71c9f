// Calibrated pipelines inside `interplay run`: fitted on a held-out draw of
// the point's generated activations, scored on the activations themselves.
#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "cli/run_cli.hpp"

using namespace interplay::test;
using Catch::Matchers::Contains;

namespace {

// The value in the row whose first cell is `row` of a one-column markdown table.
double cell(const std::string& table, const std::string& row) {
  std::istringstream in(table);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("| " + row + " ", 0) != 0) continue;
    const auto bar = line.find('|', 2);
    return std::stod(line.substr(bar + 1));
  }
  FAIL("row " << row << " not found in\n" << table);
  return 0;
}

}  // namespace

TEST_CASE("run: calibrated pipelines use a held-out calibration draw", "[calibration][experiment]") {
  ScratchDir dir;
  const std::string cfg = dir.path("calib.json");
  std::ofstream(cfg) << R"({
    "name": "calib",
    "inputs": [{"name": "normal", "distribution": "normal", "shape": [32, 64], "seeds": [0, 1]}],
    "activations": [{"name": "corr", "distribution": "correlated", "spectrum": "power",
                     "alpha": 1.0, "rows": 256, "calibration_rows": 2048, "seed": 7}],
    "metrics": ["output"],
    "sweep": {"sparsity": [{"sparsifier": "magnitude", "fraction": 0.5, "label": "mag"},
                           {"sparsifier": "sparsegpt", "fraction": 0.5, "label": "sgpt"}],
              "formats": ["int4", {"quantizer": "int4", "solver": "gptq", "label": "gptq4"}],
              "orders": ["S", "Q", "S->Q"]},
    "tables": {"q": {"title": "q", "where": {"order": "Q"}, "rows": ["format"],
                     "columns": ["order"], "values": ["output"], "aggregate": "mean",
                     "number_format": ".6g"},
               "s": {"title": "s", "where": {"order": "S"}, "rows": ["sparsity"],
                     "columns": ["order"], "values": ["output"], "aggregate": "mean",
                     "number_format": ".6g"}}})";
  const std::string h5 = dir.path("calib.h5");
  const auto r = run_cli({"run", cfg, "--output", h5, "-q"});
  CAPTURE(r.err);
  REQUIRE(r.status == 0);
  const auto q = run_cli({"table", h5, "--table", "q"});
  const auto s = run_cli({"table", h5, "--table", "s"});
  REQUIRE(q.status == 0);
  CHECK(cell(q.out, "gptq4") < cell(q.out, "int4"));
  CHECK(cell(s.out, "sgpt") < cell(s.out, "mag"));
}
