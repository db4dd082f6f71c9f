#pragma once
// Figures declared in a config next to "tables", drawn by `interplay plot`:
//   "figures": {
//     "m1_gap": {
//       "kind": "bar",                      line, bar or heatmap
//       "title": "M1 gap per format",
//       "where": {"order": "S->Q"},         as in tables
//       "x": "format",                      key column along x (line, bar, heatmap)
//       "y": "orth_gap.loss_increase",      value column (line, bar)
//       "series": ["input", "sparsity"],    key columns: one series per distinct value
//       "ylabel": "...", "xlabel": "...", "log_y": false,
//       "labels": {"S->Q": "S then Q"}      display names of key values and columns
//     },
//     "layers": {"kind": "line", "x": "@values", "y": "layer_err.*", "series": ["order"], ...}
//     "order_ratio": {"kind": "heatmap", "x": "format", "y": "sparsity",
//                     "value": "order_ratio.test_loss"}
//   }
// "x": "@values" puts the value columns themselves along x ("y" is then a list
// or a pattern with '*', e.g. layer_err.* for the error through depth).
// Line and bar points are the mean over the rows that fall on them (seeds),
// with error bars from their 95 % interval (aggregate mean_ci) when there are
// at least two; heatmap cells are means.
#include <string>
#include <vector>

#include "core/params.hpp"
#include "experiment/table_spec.hpp"

namespace interplay::experiment {

struct FigureSpec {
  std::string name, kind, title, xlabel, ylabel;
  json where = json::object();
  std::string x;               // key column, or "@values"
  std::vector<std::string> y;  // value columns or patterns (line, bar)
  std::string y_key, value;    // heatmap: key column along y, value column
  std::vector<std::string> series;
  bool log_y = false;
  std::map<std::string, std::string> labels;
};

std::vector<FigureSpec> parse_figures(const json& figures, const std::string& path);

// The table view that holds a figure's numbers (patterns in y expanded
// against `columns`); errors name figures.NAME.KEY.
TableSpec figure_table(const FigureSpec& f, const std::vector<std::string>& columns);

}  // namespace interplay::experiment
