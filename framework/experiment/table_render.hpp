#pragma once
// Lays a Pivot out as Markdown (aligned pipe table, **bold**, *italic*,
// dagger marks, a legend line), CSV (RFC 4180, exact numbers, no styles) or
// LaTeX (booktabs; grouped two-level header when columns have several levels).
#include <string>

#include "experiment/pivot.hpp"
#include "experiment/table_spec.hpp"

namespace interplay::experiment {

enum class TableFormat { Markdown, Csv, Latex };
TableFormat parse_table_format(const std::string& name);

std::string render_table(const TableSpec& spec, const Pivot& pivot, TableFormat format);

}  // namespace interplay::experiment
