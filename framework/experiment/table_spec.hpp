#pragma once
// Named views over the points table, defined in the config:
//   "tables": {
//     "sqnr": {
//       "title": "SQNR by format",          heading (md) / caption (LaTeX)
//       "where": {"order": "Q"},            keep rows whose column equals a value (or one of a
//       list) "rows": ["format", "bits_per_element"],   row keys (columns) "columns": ["input"],
//       column keys (may be empty) "values": ["rel_l2", "sqnr_db"],    one or more value columns
//       ("value": "x" for one) "aggregate": "mean",                over the rows falling in a cell:
//       mean, median, min,
//                                           max, sum, std, count, frac_pos (fraction > 0),
//                                           mean_ci (mean and 95 % bootstrap interval over the
//                                           rows of the cell, e.g. seeds; shown "m ± h")
//       "number_format": ".3g",             or {"sqnr_db": ".1f", "*": ".3g"}: [+].N(f|e|g|%)
//       "highlight": [{"when": "> 0", "style": "bold", "values": ["orth_gap.l1"]},
//                     {"when": "min", "per": "row", "style": "mark"}],
//       "labels": {"sqnr_db": "SQNR (dB)"}  display names of columns and key values
//     }
//   }
// Rows and columns appear in the order of the points (config order).
#include <map>
#include <string>
#include <vector>

#include "core/params.hpp"
#include "experiment/result_table.hpp"

namespace interplay::experiment {

struct NumberFormat {
  bool plus = false;
  int precision = 3;
  char conversion = 'g';  // f, e, g, or % (value * 100, fixed, with a % sign)
  std::string format(double v) const;
};
NumberFormat parse_number_format(const std::string& text, const std::string& path);

struct Highlight {
  enum class When { Compare, Max, Min };
  When when = When::Compare;
  std::string op;  // >, >=, <, <=, ==, !=
  double threshold = 0.0;
  bool per_row = true;              // for max/min: within a row, else within a column
  std::string style;                // bold, italic, mark
  std::vector<std::string> values;  // value columns it applies to; empty = all
  bool matches(double v) const;     // for Compare
  // "ci OP T" (aggregate mean_ci): "> T" / ">= T" the 95 % interval lies
  // entirely above T (significant above), "< T" / "<= T" entirely below,
  // "== T" contains T (inconclusive), "!= T" excludes it (significant).
  bool on_interval = false;
  bool matches_interval(double lo, double hi) const;
};

struct TableSpec {
  std::string name, title;
  json where = json::object();
  std::vector<std::string> rows, columns, values;
  std::string aggregate = "mean";
  NumberFormat default_format;
  std::map<std::string, NumberFormat> formats;  // per value column
  std::vector<Highlight> highlights;
  std::map<std::string, std::string> labels;

  const NumberFormat& format_for(const std::string& value) const;
  std::string label(const std::string& text) const;
};

// Syntax and ranges only; column names are checked by check_table_columns.
std::vector<TableSpec> parse_tables(const json& tables, const std::string& path);
// Every column a table names exists, and the values it aggregates are numeric.
void check_table_columns(const TableSpec& t, const std::vector<ColumnDef>& columns);
std::vector<ColumnDef> column_defs(const ResultTable& table);  // names and kinds of a loaded file

}  // namespace interplay::experiment
