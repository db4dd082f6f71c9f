#pragma once
// Turns finished points into the points table: key columns from the frozen
// point list, metric values from the run, derived columns computed last.
// Rows follow the point order, never the completion order, so the table is
// identical for any thread count and across resumes.
#include <map>
#include <string>
#include <vector>

#include "experiment/config.hpp"
#include "experiment/result_table.hpp"

namespace interplay::experiment {

ResultTable build_points_table(const ExperimentConfig& cfg, const std::vector<Point>& points,
                               const std::vector<ColumnDef>& columns,
                               const std::map<std::string, std::vector<double>>& values_by_id);

}  // namespace interplay::experiment
