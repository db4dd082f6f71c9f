#pragma once
// A table view computed from the points table: rows and columns keyed by
// the distinct values of the key columns (in order of first appearance),
// one aggregated number per (row, column, value) cell, and the highlight
// styles of every cell. Rendering (table_render.hpp) only lays this out.
#include <string>
#include <utility>
#include <vector>

#include "experiment/result_table.hpp"
#include "experiment/table_spec.hpp"

namespace interplay::experiment {

struct Pivot {
  std::vector<std::string> row_headers;                       // display names of the row keys
  std::vector<std::vector<std::string>> row_keys;             // [row][key]
  std::vector<std::vector<std::string>> column_headers;       // [data column][level]
  std::vector<std::string> column_value;                      // value column of each data column
  std::vector<std::vector<double>> cells;                     // [row][data column]
  std::vector<std::vector<std::vector<std::string>>> styles;  // [row][data column] -> styles
  // aggregate mean_ci: the 95 % interval of each cell ([row][data column];
  // NaN with fewer than two rows in the cell). Empty otherwise.
  std::vector<std::vector<std::pair<double, double>>> intervals;
};

Pivot make_pivot(const TableSpec& spec, const ResultTable& table);

// Aggregates `v` ("mean", "max", ...); NaN in v propagates (except count).
double aggregate(const std::string& how, std::vector<double> v);

}  // namespace interplay::experiment
