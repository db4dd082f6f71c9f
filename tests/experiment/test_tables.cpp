// Derived columns, pivots, aggregation, number formats, highlights and the
// three renderers, on small hand-built tables with hand-computed output.
#include <catch2/catch.hpp>
#include <cmath>

#include "experiment/config.hpp"
#include "experiment/derived.hpp"
#include "experiment/pivot.hpp"
#include "experiment/table_render.hpp"

using namespace interplay;
using namespace interplay::experiment;

namespace {

// Two inputs; per input S, Q, S->Q, Q->S rows of one sparsity x one format.
ResultTable order_table() {
  ResultTable t;
  for (const char* c : {"input", "activation", "sparsity", "format", "order"})
    t.add_column(c, true);
  t.add_column("seed", false);
  t.add_column("l1", false);
  const std::vector<std::vector<std::string>> keys{
      {"a", "2:4", "", "S"},        {"a", "", "int4", "Q"},      {"a", "2:4", "int4", "S->Q"},
      {"a", "2:4", "int4", "Q->S"}, {"b", "2:4", "", "S"},       {"b", "", "int4", "Q"},
      {"b", "2:4", "int4", "S->Q"}, {"b", "2:4", "int4", "Q->S"}};
  const std::vector<double> l1{4, 2, 5, 7, 10, 6, 16, 12};
  t.set_rows(keys.size());
  for (std::size_t r = 0; r < keys.size(); ++r) {
    t.find("input")->strings[r] = keys[r][0];
    t.find("sparsity")->strings[r] = keys[r][1];
    t.find("format")->strings[r] = keys[r][2];
    t.find("order")->strings[r] = keys[r][3];
    t.find("seed")->numbers[r] = 0;
    t.find("l1")->numbers[r] = l1[r];
  }
  return t;
}

}  // namespace

TEST_CASE("derived: orthogonality and order gaps from partner rows", "[experiment]") {
  ResultTable t = order_table();
  DerivedSpec d;
  d.orthogonality = {"l1"}, d.order = {"l1"};
  compute_derived(t, d);
  const auto& gap = t.at("orth_gap.l1").numbers;
  const auto& ratio = t.at("orth_ratio.l1").numbers;
  const auto& ogap = t.at("order_gap.l1").numbers;
  const auto& oratio = t.at("order_ratio.l1").numbers;
  CHECK(std::isnan(gap[0]));
  CHECK(std::isnan(gap[1]));
  CHECK(gap[2] == 5.0 - 4 - 2);
  CHECK(gap[3] == 7.0 - 4 - 2);
  CHECK(ratio[2] == 5.0 / 6);
  CHECK(gap[6] == 16.0 - 10 - 6);
  CHECK(gap[7] == 12.0 - 10 - 6);
  CHECK(ogap[2] == 2.0);
  CHECK(ogap[3] == 2.0);
  CHECK(ogap[6] == -4.0);
  CHECK(oratio[6] == 12.0 / 16);
  // A missing baseline leaves NaN rather than a wrong number.
  ResultTable u = order_table();
  u.find("order")->strings[0] = "X";
  compute_derived(u, d);
  CHECK(std::isnan(u.at("orth_gap.l1").numbers[2]));
  CHECK(u.at("order_gap.l1").numbers[2] == 2.0);
}

TEST_CASE("aggregates and number formats", "[experiment]") {
  const std::vector<double> v{3, -1, 2, 4};
  CHECK(aggregate("mean", v) == 2.0);
  CHECK(aggregate("median", v) == 2.5);
  CHECK(aggregate("min", v) == -1.0);
  CHECK(aggregate("max", v) == 4.0);
  CHECK(aggregate("sum", v) == 8.0);
  CHECK(aggregate("count", v) == 4.0);
  CHECK(aggregate("frac_pos", v) == 0.75);
  CHECK(aggregate("std", {1, 3}) == 1.0);
  CHECK(std::isnan(aggregate("mean", {1, NAN})));
  CHECK(std::isnan(aggregate("max", {})));
  CHECK(parse_number_format(".3f", "f").format(3.14159) == "3.142");
  CHECK(parse_number_format("+.1e", "f").format(1234.0) == "+1.2e+03");
  CHECK(parse_number_format(".1%", "f").format(0.256) == "25.6%");
  CHECK(parse_number_format(".2f", "f").format(-0.0001) == "0.00");
  CHECK(parse_number_format(".2f", "f").format(INFINITY) == "inf");
  CHECK_THROWS_WITH(parse_number_format("3f", "tables.t.number_format"),
                    Catch::StartsWith("tables.t.number_format: bad number format '3f'"));
}

TEST_CASE("pivot and renderers: markdown, csv, latex", "[experiment]") {
  ResultTable t = order_table();
  DerivedSpec d;
  d.orthogonality = {"l1"};
  compute_derived(t, d);
  const auto specs = parse_tables(json::parse(R"({"gap": {
      "title": "Gap",
      "where": {"order": ["S->Q", "Q->S"]},
      "rows": ["format"], "columns": ["input", "order"], "values": ["orth_gap.l1"],
      "number_format": ".1f",
      "highlight": [{"when": "> 0", "style": "bold"}, {"when": "min", "per": "row", "style": "mark"}],
      "labels": {"format": "Format"}}})"),
                                  "tables");
  REQUIRE(specs.size() == 1);
  const Pivot p = make_pivot(specs[0], t);
  REQUIRE(p.cells.size() == 1);
  CHECK(p.cells[0] == std::vector<double>{-1, 1, 0, -4});

  CHECK(render_table(specs[0], p, TableFormat::Markdown) ==
        "**Gap**\n\n"
        "| Format | a / S->Q | a / Q->S | b / S->Q | b / Q->S |\n"
        "| ------ | -------: | -------: | -------: | -------: |\n"
        "| int4   |     -1.0 |  **1.0** |      0.0 |    -4.0\u2020 |\n"
        "\n**bold**: value > 0; \u2020: smallest value in its row\n");
  CHECK(render_table(specs[0], p, TableFormat::Csv) ==
        "Format,a / S->Q,a / Q->S,b / S->Q,b / Q->S\n"
        "int4,-1,1,0,-4\n");
  const std::string tex = render_table(specs[0], p, TableFormat::Latex);
  CHECK(tex.find("\\begin{tabular}{lrrrr}\n\\toprule\n") != std::string::npos);
  CHECK(tex.find(" & \\multicolumn{2}{c}{a} & \\multicolumn{2}{c}{b} \\\\\n"
                 "\\cmidrule(lr){2-3}\\cmidrule(lr){4-5}\n") != std::string::npos);
  CHECK(tex.find("Format & S$\\to$Q & Q$\\to$S & S$\\to$Q & Q$\\to$S \\\\\n\\midrule\n") !=
        std::string::npos);
  CHECK(tex.find("int4 & -1.0 & \\textbf{1.0} & 0.0 & -4.0$^\\dagger$ \\\\\n\\bottomrule") !=
        std::string::npos);

  // Aggregation over inputs: one column per order, mean and max.
  auto agg =
      parse_tables(json::parse(R"({"m": {"where": {"order": ["S->Q", "Q->S"]}, "rows": ["format"],
      "columns": ["order"], "values": ["l1", "orth_gap.l1"], "aggregate": "max"}})"),
                   "tables");
  const Pivot q = make_pivot(agg[0], t);
  CHECK(q.column_headers[0] == std::vector<std::string>{"S->Q", "l1"});
  CHECK(q.column_headers[3] == std::vector<std::string>{"Q->S", "orth_gap.l1"});
  CHECK(q.cells[0] == std::vector<double>{16, 0, 12, 1});
}

TEST_CASE("derived: S-only and Q-only baselines next to the gaps, regime flag", "[experiment]") {
  ResultTable t = order_table();  // l1: a: S 4, Q 2; b: S 10, Q 6
  DerivedSpec d;
  d.orthogonality = {"l1"};
  d.regime_metric = "l1", d.regime_max = 5.0;
  compute_derived(t, d);
  const auto& s_only = t.at("S_only.l1").numbers;
  const auto& q_only = t.at("Q_only.l1").numbers;
  const auto& regime = t.at("in_regime").numbers;
  CHECK(std::isnan(s_only[0]));  // only on composite rows
  CHECK(s_only[2] == 4.0);
  CHECK(q_only[3] == 2.0);
  CHECK(s_only[6] == 10.0);
  CHECK(regime[2] == 1.0);  // a: both alone lose <= 5
  CHECK(regime[7] == 0.0);  // b: S alone already loses 10
  CHECK(std::isnan(regime[1]));
  CHECK(derived_columns(d) == std::vector<std::string>{"orth_gap.l1", "orth_ratio.l1", "S_only.l1",
                                                       "Q_only.l1", "in_regime"});
}
