#include "experiment/where_values.hpp"

#include <cmath>
#include <set>

#include "core/error.hpp"
#include "core/suggest.hpp"
#include "experiment/json_path.hpp"

namespace interplay::experiment {
namespace {

bool occurs(const Column& c, const json& want) {
  for (std::size_t r = 0; r < c.size(); ++r) {
    if (c.text) {
      if (c.strings[r] == (want.is_string() ? want.get<std::string>() : want.dump())) return true;
    } else if (want.is_number()) {
      if (c.numbers[r] == want.get<double>()) return true;
    } else if (want.is_null() && std::isnan(c.numbers[r])) {
      return true;
    }
  }
  return false;
}

// The column's distinct values as text, for the suggestion.
std::vector<std::string> distinct(const ResultTable& t, const Column& c) {
  std::set<std::string> seen;
  std::vector<std::string> out;
  for (std::size_t r = 0; r < c.size() && out.size() < 200; ++r) {
    const std::string v = c.text ? c.strings[r] : t.cell_text(c, r);
    if (seen.insert(v).second) out.push_back(v);
  }
  return out;
}

}  // namespace

void check_where_values(const TableSpec& spec, const ResultTable& table) {
  if (table.rows() == 0) return;  // an empty file has nothing to compare against
  for (const auto& [col, want] : spec.where.items()) {
    const Column& c = table.at(col);
    const std::string path = child_path(child_path("tables." + spec.name, "where"), col);
    const std::vector<json> wanted = want.is_array() ? std::vector<json>(want.begin(), want.end())
                                                     : std::vector<json>{want};
    for (const auto& w : wanted)
      if (!occurs(c, w))
        throw Error(at(path, unknown_name_message("value of column '" + col + "'",
                                                  w.is_string() ? w.get<std::string>() : w.dump(),
                                                  distinct(table, c))));
  }
}

}  // namespace interplay::experiment
