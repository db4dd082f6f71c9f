// Tables with intervals (aggregate mean_ci, "ci" highlights) and figures
// drawn by `interplay plot`, from a small run with seed replicates.
#include <catch2/catch.hpp>
#include <cmath>

#include "experiment/cell_interval.hpp"
#include "experiment/figure_render.hpp"
#include "experiment/pivot.hpp"
#include "experiment/result_file.hpp"
#include "experiment/table_render.hpp"
#include "helpers.hpp"

using namespace interplay;
using namespace interplay::experiment;
using namespace interplay::exptest;

namespace {

// x in {a, b}, three seeds per cell; gap values: a clearly > 0, b around 0.
ResultTable replicate_table() {
  ResultTable t;
  t.add_column("input", true);
  t.add_column("x", true);
  t.add_column("seed", false);
  t.add_column("gap", false);
  const std::vector<std::pair<std::string, double>> rows{
      {"a", 1.0}, {"a", 1.2}, {"a", 1.1}, {"b", -0.5}, {"b", 0.4}, {"b", 0.2}, {"c", 2.0}};
  t.set_rows(rows.size());
  for (std::size_t r = 0; r < rows.size(); ++r) {
    t.find("input")->strings[r] = "in";
    t.find("x")->strings[r] = rows[r].first;
    t.find("seed")->numbers[r] = double(r % 3);
    t.find("gap")->numbers[r] = rows[r].second;
  }
  return t;
}

}  // namespace

TEST_CASE("mean_ci cells: mean ± half-width, ci highlights, no interval from one row",
          "[experiment][stats]") {
  const json spec = json::parse(R"({"t": {"rows": ["x"], "values": ["gap"],
      "aggregate": "mean_ci", "number_format": ".2f",
      "highlight": [{"when": "ci > 0", "style": "bold"}, {"when": "ci == 0", "style": "italic"}]}})");
  const TableSpec t = parse_tables(spec, "tables")[0];
  const Pivot p = make_pivot(t, replicate_table());
  REQUIRE(p.intervals.size() == 3);
  CHECK(p.cells[0][0] == Approx(1.1));
  // The percentile interval of three values lies within their range.
  CHECK(p.intervals[0][0].first >= 1.0);
  CHECK(p.intervals[0][0].second <= 1.2);
  CHECK(p.intervals[0][0].first < p.intervals[0][0].second);
  CHECK(std::isnan(p.intervals[2][0].first));  // one row: no interval
  const std::string md = render_table(t, p, TableFormat::Markdown);
  INFO(md);
  CHECK(md.find("**1.10 ± ") != std::string::npos);  // significantly above 0
  CHECK(md.find("**bold**: 95 % interval of value entirely above 0") != std::string::npos);
  CHECK(md.find("*0.03 ± ") != std::string::npos);   // b: inconclusive (italic)
  CHECK(md.find(" 2.00 |") != std::string::npos);    // one seed: no interval, never significant
  CHECK(md.find("2.00 ±") == std::string::npos);
  CHECK(md.find("**2.00") == std::string::npos);
  CHECK(render_table(t, p, TableFormat::Latex).find("$\\pm$") != std::string::npos);
  const std::string csv = render_table(t, p, TableFormat::Csv);
  CHECK(csv.find("gap,gap (95% lo),gap (95% hi)") != std::string::npos);
  // Deterministic: the same interval every time.
  CHECK(replicate_interval({1.0, 1.2, 1.1}) == replicate_interval({1.0, 1.2, 1.1}));
  // A "ci" rule without mean_ci is a one-line error naming the key.
  const json bad = json::parse(
      R"({"t": {"rows": ["x"], "values": ["gap"], "highlight": [{"when": "ci > 0", "style": "bold"}]}})");
  CHECK_THROWS_WITH(parse_tables(bad, "tables"),
                    Catch::Contains("tables.t.highlight[0].when") &&
                        Catch::Contains("needs \"aggregate\": \"mean_ci\""));
}

TEST_CASE("figures: a line figure from a seeded run is a valid SVG naming its series",
          "[experiment][plot]") {
  ScratchDir dir;
  const std::string cfg = dir.file("fig.json"), out = dir.file("fig.h5");
  write_text(cfg, R"({
    "inputs": [{"name": "g", "distribution": "normal", "shape": [8, 64], "seeds": [0, 1, 2]}],
    "metrics": ["rel_l2"],
    "derived": {"orthogonality": ["rel_l2"]},
    "sweep": {"sparsity": [{"sparsifier": "nm", "n": 2, "m": 4, "label": "2:4"},
                           {"sparsifier": "magnitude", "fraction": 0.5, "label": "50%"}],
              "formats": ["int8", "mxfp4", "nvfp4"]},
    "figures": {
      "err": {"kind": "line", "title": "error by format", "x": "format", "y": "rel_l2",
              "series": ["order"], "where": {"order": ["Q", "S->Q", "Q->S"]},
              "labels": {"S->Q": "sparsify first"}},
      "bars": {"kind": "bar", "x": "format", "y": "orth_gap.rel_l2", "series": ["order"],
               "where": {"order": ["S->Q", "Q->S"]}},
      "heat": {"kind": "heatmap", "x": "format", "y": "sparsity", "value": "rel_l2",
               "where": {"order": "S->Q"}}
    }
  })");
  const auto run = run_interplay({"run", cfg, "--output", out, "--quiet"});
  INFO(run.out << run.err);
  REQUIRE(run.exit_code == 0);
  const std::string svg = dir.file("err.svg");
  const auto plot = run_interplay({"plot", out, "--figure", "err", "--output", svg});
  INFO(plot.out << plot.err);
  REQUIRE(plot.exit_code == 0);
  const std::string text = read_text(svg);
  CHECK(text.find("<svg") != std::string::npos);
  CHECK(text.find("</svg>") != std::string::npos);
  for (const char* series : {"sparsify first", "Q->S", "Q"}) {
    INFO(series);
    CHECK(text.find(series) != std::string::npos);
  }
  CHECK(text.find("mxfp4") != std::string::npos);  // an x tic
  CHECK(path_exists(dir.file("err.dat")));
  CHECK(path_exists(dir.file("err.gp")));
  // The data file holds the mean and a real interval (three seeds).
  CHECK(read_text(dir.file("err.dat")).find("# Q->S") != std::string::npos);
  // Every figure at once, named after itself, next to the results.
  const auto all = run_interplay({"plot", out});
  INFO(all.out << all.err);
  REQUIRE(all.exit_code == 0);
  CHECK(read_text(dir.file("bars.svg")).find("</svg>") != std::string::npos);
  const std::string heat = read_text(dir.file("heat.svg"));
  CHECK(heat.find("</svg>") != std::string::npos);
  CHECK(heat.find("50%") != std::string::npos);  // a '%' in a tic label survives gnuplot
  // Errors: one line naming the option or figure.
  const auto bad_ext =
      run_interplay({"plot", out, "--figure", "err", "--output", dir.file("x.gif")});
  CHECK(bad_ext.exit_code != 0);
  CHECK(bad_ext.err.find("--output") != std::string::npos);
  const auto bad_name = run_interplay({"plot", out, "--figure", "er"});
  CHECK(bad_name.exit_code != 0);
  CHECK(bad_name.err.find("did you mean 'err'") != std::string::npos);
}

TEST_CASE("isotropic activations: the output metric is the exact expectation ||D||^2",
          "[experiment]") {
  ScratchDir dir;
  write_text(dir.file("iso.json"), R"({
    "inputs": [{"name": "g", "distribution": "normal", "shape": [8, 64], "seeds": [0]}],
    "activations": [{"name": "exact", "distribution": "isotropic"}],
    "metrics": ["output", "l2sq"],
    "sweep": {"formats": ["int4", "mxfp4"]}
  })");
  const auto r = run_interplay({"run", dir.file("iso.json"), "-o", dir.file("iso.h5"), "-q"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const auto t = experiment::read_results(dir.file("iso.h5")).table;
  REQUIRE(t.rows() == 2);
  for (std::size_t i = 0; i < 2; ++i) {
    CHECK(t.at("output").numbers[i] > 0.0);
    CHECK(t.at("output").numbers[i] == Approx(t.at("l2sq").numbers[i]).epsilon(1e-12));
  }
  write_text(dir.file("bad.json"), R"({
    "inputs": [{"name": "g", "distribution": "normal", "shape": [8, 64]}],
    "activations": [{"name": "exact", "distribution": "isotropic", "rows": 512}],
    "metrics": ["output"], "sweep": {"formats": ["int4"]}})");
  const auto bad = run_interplay({"run", dir.file("bad.json"), "-o", dir.file("bad.h5")});
  CHECK(bad.exit_code != 0);
  CHECK(bad.err.find("activations[0]") != std::string::npos);
}
