#include "experiment/figure_spec.hpp"

#include <algorithm>

#include "core/error.hpp"
#include "core/suggest.hpp"
#include "experiment/json_path.hpp"
#include "models/compression.hpp"  // path_matches

namespace interplay::experiment {
namespace {

FigureSpec parse_figure(const std::string& name, const json& v, const std::string& path) {
  check_object(v, path,
               {"kind", "title", "where", "x", "y", "value", "series", "xlabel", "ylabel", "log_y",
                "labels"});
  FigureSpec f;
  f.name = name;
  f.kind = as_choice(required(v, path, "kind"), child_path(path, "kind"),
                     {"line", "bar", "heatmap"}, "figure kind");
  if (const json* x = optional(v, "title")) f.title = as_string(*x, child_path(path, "title"));
  if (const json* x = optional(v, "xlabel")) f.xlabel = as_string(*x, child_path(path, "xlabel"));
  if (const json* x = optional(v, "ylabel")) f.ylabel = as_string(*x, child_path(path, "ylabel"));
  if (const json* x = optional(v, "where")) {
    if (!x->is_object())
      throw Error(at(child_path(path, "where"), "expected an object {column: value or [values]}"));
    f.where = *x;
  }
  f.x = as_string(required(v, path, "x"), child_path(path, "x"));
  if (const json* x = optional(v, "series"))
    f.series = as_string_list(*x, child_path(path, "series"));
  if (const json* x = optional(v, "log_y")) {
    if (!x->is_boolean()) throw Error(at(child_path(path, "log_y"), "expected true or false"));
    f.log_y = x->get<bool>();
  }
  if (const json* x = optional(v, "labels")) {
    const std::string lp = child_path(path, "labels");
    if (!x->is_object()) throw Error(at(lp, "expected an object {text: display text}"));
    for (const auto& [k, l] : x->items()) f.labels[k] = as_string(l, child_path(lp, k));
  }
  if (f.kind == "heatmap") {
    if (f.x == "@values") throw Error(at(child_path(path, "x"), "a heatmap needs a key column"));
    if (!f.series.empty())
      throw Error(at(child_path(path, "series"), "not used by a heatmap (give x, y, value)"));
    f.y_key = as_string(required(v, path, "y"), child_path(path, "y"));
    f.value = as_string(required(v, path, "value"), child_path(path, "value"));
    return f;
  }
  if (v.contains("value"))
    throw Error(at(child_path(path, "value"), "only used by a heatmap (line/bar: give y)"));
  const json& y = required(v, path, "y");
  f.y = y.is_string() ? std::vector<std::string>{y.get<std::string>()}
                      : as_string_list(y, child_path(path, "y"));
  if (f.y.empty()) throw Error(at(child_path(path, "y"), "needs at least one value column"));
  if (f.x != "@values" && f.y.size() != 1)
    throw Error(at(child_path(path, "y"), "one value column (or \"x\": \"@values\" for several)"));
  return f;
}

void check_column(const std::string& c, const std::vector<std::string>& columns,
                  const std::string& path) {
  if (std::find(columns.begin(), columns.end(), c) == columns.end())
    throw Error(at(path, unknown_name_message("column", c, columns)));
}

}  // namespace

std::vector<FigureSpec> parse_figures(const json& figures, const std::string& path) {
  if (!figures.is_object()) throw Error(at(path, "expected an object {name: figure}"));
  std::vector<FigureSpec> out;
  for (const auto& [name, v] : figures.items())
    out.push_back(parse_figure(name, v, child_path(path, name)));
  return out;
}

TableSpec figure_table(const FigureSpec& f, const std::vector<std::string>& columns) {
  const std::string path = "figures." + f.name;
  TableSpec t;
  t.name = f.name;
  t.title = f.title;
  t.where = f.where;
  t.labels = f.labels;
  for (const auto& [k, v] : f.where.items()) check_column(k, columns, child_path(path, "where"));
  for (std::size_t i = 0; i < f.series.size(); ++i)
    check_column(f.series[i], columns, index_path(child_path(path, "series"), i));
  if (f.kind == "heatmap") {
    check_column(f.x, columns, child_path(path, "x"));
    check_column(f.y_key, columns, child_path(path, "y"));
    check_column(f.value, columns, child_path(path, "value"));
    t.rows = {f.y_key}, t.columns = {f.x}, t.values = {f.value};
    t.aggregate = "mean";
    return t;
  }
  // Expand patterns against the columns, in column order.
  for (std::size_t i = 0; i < f.y.size(); ++i) {
    const std::string yp =
        f.y.size() == 1 ? child_path(path, "y") : index_path(child_path(path, "y"), i);
    if (f.y[i].find('*') == std::string::npos) {
      check_column(f.y[i], columns, yp);
      t.values.push_back(f.y[i]);
      continue;
    }
    std::size_t found = 0;
    for (const auto& c : columns)
      if (path_matches(f.y[i], c)) t.values.push_back(c), ++found;
    if (!found) throw Error(at(yp, "pattern '" + f.y[i] + "' matches no column"));
  }
  t.aggregate = "mean_ci";
  if (f.x == "@values") {
    // One row per series, the value columns along x.
    if (f.series.empty())
      throw Error(at(child_path(path, "series"), "\"x\": \"@values\" needs series key columns"));
    t.rows = f.series;
  } else {
    check_column(f.x, columns, child_path(path, "x"));
    t.rows = {f.x};
    t.columns = f.series;
  }
  return t;
}

}  // namespace interplay::experiment
