#pragma once
// A table's `where` names values as well as columns. A misspelt value would
// silently select no rows and render an empty table, so every wanted value
// must occur in its column; otherwise the error names the table, the column
// and the nearest existing value.
#include "experiment/result_table.hpp"
#include "experiment/table_spec.hpp"

namespace interplay::experiment {

void check_where_values(const TableSpec& spec, const ResultTable& table);

}  // namespace interplay::experiment
