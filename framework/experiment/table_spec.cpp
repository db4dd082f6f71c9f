#include "experiment/table_spec.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "core/error.hpp"
#include "core/suggest.hpp"
#include "experiment/json_path.hpp"

namespace interplay::experiment {

std::string NumberFormat::format(double v) const {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char fmt[16], buf[64];
  const char conv = conversion == '%' ? 'f' : conversion;
  std::snprintf(fmt, sizeof fmt, "%%%s.%d%c", plus ? "+" : "", precision, conv);
  std::snprintf(buf, sizeof buf, fmt, conversion == '%' ? v * 100.0 : v);
  std::string s = buf;
  if (s == "-0" || s.rfind("-0.", 0) == 0) {  // "-0.000": a rounded-away sign says nothing
    if (s.find_first_not_of("-0.") == std::string::npos) s = s.substr(1);
  }
  return conversion == '%' ? s + "%" : s;
}

NumberFormat parse_number_format(const std::string& text, const std::string& path) {
  NumberFormat f;
  std::size_t p = 0;
  auto bad = [&]() {
    return Error(at(path, "bad number format '" + text +
                              "' (expected [+].N followed by f, e, g or %, e.g. \".3g\")"));
  };
  if (p < text.size() && text[p] == '+') f.plus = true, ++p;
  if (p >= text.size() || text[p] != '.') throw bad();
  ++p;
  const std::size_t digits = text.find_first_not_of("0123456789", p);
  if (digits == p || digits == std::string::npos || digits - p > 2) throw bad();
  f.precision = std::atoi(text.substr(p, digits - p).c_str());
  if (f.precision > 17) throw bad();
  if (digits + 1 != text.size()) throw bad();
  f.conversion = text[digits];
  if (f.conversion != 'f' && f.conversion != 'e' && f.conversion != 'g' && f.conversion != '%')
    throw bad();
  return f;
}

bool Highlight::matches_interval(double lo, double hi) const {
  if (std::isnan(lo) || std::isnan(hi)) return false;  // no interval: never significant
  if (op == ">" || op == ">=") return lo > threshold;
  if (op == "<" || op == "<=") return hi < threshold;
  const bool inside = lo <= threshold && threshold <= hi;
  return op == "==" ? inside : !inside;
}

bool Highlight::matches(double v) const {
  if (std::isnan(v)) return false;
  if (op == ">") return v > threshold;
  if (op == ">=") return v >= threshold;
  if (op == "<") return v < threshold;
  if (op == "<=") return v <= threshold;
  if (op == "==") return v == threshold;
  return v != threshold;
}

const NumberFormat& TableSpec::format_for(const std::string& value) const {
  auto it = formats.find(value);
  return it == formats.end() ? default_format : it->second;
}

std::string TableSpec::label(const std::string& text) const {
  auto it = labels.find(text);
  return it == labels.end() ? text : it->second;
}

namespace {

Highlight parse_highlight(const json& v, const std::string& path) {
  check_object(v, path, {"when", "per", "style", "values"});
  Highlight h;
  const std::string when = as_string(required(v, path, "when"), child_path(path, "when"));
  if (when == "max" || when == "min") {
    h.when = when == "max" ? Highlight::When::Max : Highlight::When::Min;
    if (const json* per = optional(v, "per"))
      h.per_row = as_choice(*per, child_path(path, "per"), {"row", "column"}) == "row";
  } else {
    if (v.contains("per"))
      throw Error(at(child_path(path, "per"), "only applies to \"max\" / \"min\""));
    // "ci > 0": the cell's interval (aggregate mean_ci) lies entirely above 0.
    std::size_t p = when.find_first_not_of(" ");
    if (p != std::string::npos && when.compare(p, 3, "ci ") == 0)
      h.on_interval = true, p = when.find_first_not_of(" ", p + 3);
    const std::size_t op_end = when.find_first_not_of("<>=!", p == std::string::npos ? 0 : p);
    if (p == std::string::npos || op_end == std::string::npos) p = std::string::npos;
    const std::string op = p == std::string::npos ? "" : when.substr(p, op_end - p);
    static const std::vector<std::string> ops{">", ">=", "<", "<=", "==", "!="};
    char* end = nullptr;
    const std::string rest = p == std::string::npos ? "" : when.substr(op_end);
    const double t = std::strtod(rest.c_str(), &end);
    const bool number_ok =
        !rest.empty() && end && std::string(end).find_first_not_of(" ") == std::string::npos;
    if (std::find(ops.begin(), ops.end(), op) == ops.end() || !number_ok)
      throw Error(
          at(child_path(path, "when"),
             "expected \"max\", \"min\" or a comparison such as \"> 0\" or \"ci > 0\", got '" +
                 when + "'"));
    h.op = op, h.threshold = t;
  }
  h.style = as_choice(required(v, path, "style"), child_path(path, "style"),
                      {"bold", "italic", "mark"}, "style");
  if (const json* vals = optional(v, "values"))
    h.values = as_string_list(*vals, child_path(path, "values"));
  return h;
}

TableSpec parse_table(const std::string& name, const json& v, const std::string& path) {
  check_object(v, path,
               {"title", "where", "rows", "columns", "values", "value", "aggregate",
                "number_format", "highlight", "labels"});
  TableSpec t;
  t.name = name;
  if (const json* x = optional(v, "title")) t.title = as_string(*x, child_path(path, "title"));
  if (const json* x = optional(v, "where")) {
    if (!x->is_object())
      throw Error(at(child_path(path, "where"), "expected an object {column: value or [values]}"));
    t.where = *x;  // keys checked against the columns later
  }
  t.rows = as_string_list(required(v, path, "rows"), child_path(path, "rows"));
  if (t.rows.empty()) throw Error(at(child_path(path, "rows"), "needs at least one column"));
  if (const json* x = optional(v, "columns"))
    t.columns = as_string_list(*x, child_path(path, "columns"));
  if (v.contains("value") && v.contains("values"))
    throw Error(at(path, "give 'value' or 'values', not both"));
  if (const json* x = optional(v, "value")) t.values = {as_string(*x, child_path(path, "value"))};
  if (const json* x = optional(v, "values"))
    t.values = as_string_list(*x, child_path(path, "values"));
  if (t.values.empty()) throw Error(at(path, "missing required key 'values'"));
  if (const json* x = optional(v, "aggregate"))
    t.aggregate =
        as_choice(*x, child_path(path, "aggregate"),
                  {"mean", "median", "min", "max", "sum", "std", "count", "frac_pos", "mean_ci"},
                  "aggregate");
  if (const json* x = optional(v, "number_format")) {
    const std::string fp = child_path(path, "number_format");
    if (x->is_string()) {
      t.default_format = parse_number_format(x->get<std::string>(), fp);
    } else {
      check_object(*x, fp, t.values.size() ? [&] {
        std::vector<std::string> k = t.values;
        k.push_back("*");
        return k;
      }() : std::vector<std::string>{"*"});
      for (const auto& [k, f] : x->items()) {
        const NumberFormat nf =
            parse_number_format(as_string(f, child_path(fp, k)), child_path(fp, k));
        if (k == "*")
          t.default_format = nf;
        else
          t.formats[k] = nf;
      }
    }
  }
  if (const json* x = optional(v, "highlight")) {
    const std::string hp = child_path(path, "highlight");
    check_array(*x, hp);
    for (std::size_t i = 0; i < x->size(); ++i) {
      Highlight h = parse_highlight((*x)[i], index_path(hp, i));
      if (h.on_interval && t.aggregate != "mean_ci")
        throw Error(at(child_path(index_path(hp, i), "when"),
                       "a \"ci\" comparison needs \"aggregate\": \"mean_ci\""));
      for (std::size_t k = 0; k < h.values.size(); ++k)
        if (std::find(t.values.begin(), t.values.end(), h.values[k]) == t.values.end())
          throw Error(at(index_path(child_path(index_path(hp, i), "values"), k),
                         unknown_name_message("value column", h.values[k], t.values)));
      t.highlights.push_back(std::move(h));
    }
  }
  if (const json* x = optional(v, "labels")) {
    const std::string lp = child_path(path, "labels");
    if (!x->is_object()) throw Error(at(lp, "expected an object {text: display text}"));
    for (const auto& [k, l] : x->items()) t.labels[k] = as_string(l, child_path(lp, k));
  }
  return t;
}

}  // namespace

std::vector<TableSpec> parse_tables(const json& tables, const std::string& path) {
  if (!tables.is_object()) throw Error(at(path, "expected an object {name: table, ...}"));
  std::vector<TableSpec> out;
  for (const auto& [name, v] : tables.items())
    out.push_back(parse_table(name, v, child_path(path, name)));
  return out;
}

std::vector<ColumnDef> column_defs(const ResultTable& table) {
  std::vector<ColumnDef> defs;
  for (const auto& c : table.columns()) defs.push_back({c.name, c.text});
  return defs;
}

void check_table_columns(const TableSpec& t, const std::vector<ColumnDef>& defs) {
  const std::string path = "tables." + t.name;
  std::vector<std::string> columns;
  for (const auto& c : defs) columns.push_back(c.name);
  auto check = [&](const std::vector<std::string>& names, const std::string& key) {
    for (std::size_t i = 0; i < names.size(); ++i)
      if (std::find(columns.begin(), columns.end(), names[i]) == columns.end())
        throw Error(at(index_path(child_path(path, key), i),
                       unknown_name_message("column", names[i], columns)));
  };
  check(t.rows, "rows");
  check(t.columns, "columns");
  check(t.values, "values");
  for (std::size_t i = 0; i < t.values.size(); ++i)
    for (const auto& c : defs)
      if (c.name == t.values[i] && c.text)
        throw Error(at(index_path(child_path(path, "values"), i),
                       "column '" + c.name + "' holds text; a table value must be numeric"));
  for (const auto& [k, v] : t.where.items())
    if (std::find(columns.begin(), columns.end(), k) == columns.end())
      throw Error(at(child_path(path, "where"), unknown_name_message("column", k, columns)));
}

}  // namespace interplay::experiment
