// A misspelt value in a table's `where` is an error with a suggestion (not an
// empty table), and the LaTeX caption renders the dagger mark as a symbol.
#include <catch2/catch.hpp>

#include "core/error.hpp"
#include "experiment/config.hpp"
#include "experiment/pivot.hpp"
#include "experiment/table_render.hpp"

using namespace interplay;
using namespace interplay::experiment;
using Catch::Matchers::Contains;

namespace {

ResultTable small_table() {
  ResultTable t;
  t.add_column("order", true);
  t.add_column("format", true);
  t.add_column("bits", false);
  t.add_column("l1", false);
  t.set_rows(3);
  const char* orders[] = {"S->Q", "Q->S", "Q"};
  for (std::size_t r = 0; r < 3; ++r) {
    t.find("order")->strings[r] = orders[r];
    t.find("format")->strings[r] = "mxfp4";
    t.find("bits")->numbers[r] = 4;
    t.find("l1")->numbers[r] = double(r) - 1.0;
  }
  return t;
}

TableSpec spec(const std::string& where) {
  return parse_tables(json::parse(R"({"t": {"where": )" + where +
                                  R"(, "rows": ["format"], "columns": ["order"], "values": ["l1"],
      "highlight": [{"when": "min", "per": "row", "style": "mark"}]}})"),
                      "tables")[0];
}

}  // namespace

TEST_CASE("table where: misspelt values are errors with a suggestion", "[experiment][tables]") {
  const ResultTable t = small_table();
  CHECK_NOTHROW(make_pivot(spec(R"({"order": ["S->Q", "Q->S"]})"), t));
  CHECK_NOTHROW(make_pivot(spec(R"({"bits": 4})"), t));
  REQUIRE_THROWS_WITH(make_pivot(spec(R"({"order": ["S->Q", "Q-S"]})"), t),
                      Contains("tables.t.where.order") && Contains("'Q-S'") &&
                          Contains("did you mean 'Q->S'"));
  REQUIRE_THROWS_WITH(make_pivot(spec(R"({"format": "mxfp5"})"), t), Contains("mxfp4"));
  REQUIRE_THROWS_WITH(make_pivot(spec(R"({"bits": 8})"), t), Contains("tables.t.where.bits"));
}

TEST_CASE("LaTeX caption renders the dagger legend as a symbol", "[experiment][tables]") {
  const TableSpec s = spec(R"({"order": ["S->Q", "Q->S"]})");
  const std::string tex = render_table(s, make_pivot(s, small_table()), TableFormat::Latex);
  CHECK_THAT(tex, Contains("($\\dagger$: smallest value in its row)"));
  CHECK(tex.find("textbackslash") == std::string::npos);
}
