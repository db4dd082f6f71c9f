#include "experiment/pivot.hpp"
#include "experiment/where_values.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include "core/error.hpp"
#include "experiment/cell_interval.hpp"

namespace interplay::experiment {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

bool cell_matches(const Column& c, std::size_t row, const json& want) {
  if (want.is_array()) {
    for (const auto& w : want)
      if (cell_matches(c, row, w)) return true;
    return false;
  }
  if (c.text)
    return want.is_string() ? c.strings[row] == want.get<std::string>()
                            : c.strings[row] == want.dump();
  if (!want.is_number()) return want.is_null() && std::isnan(c.numbers[row]);
  return c.numbers[row] == want.get<double>();
}

std::string key_text(const ResultTable& t, const Column& c, std::size_t row) {
  if (!c.text && std::isnan(c.numbers[row])) return "-";
  return t.cell_text(c, row);
}

// Distinct keys in order of first appearance; index[row] = key number.
struct KeyIndex {
  std::vector<std::vector<std::string>> keys;
  std::vector<std::size_t> of_row;
};

KeyIndex index_keys(const ResultTable& t, const std::vector<std::string>& cols,
                    const std::vector<std::size_t>& rows) {
  KeyIndex k;
  std::map<std::vector<std::string>, std::size_t> seen;
  for (std::size_t r : rows) {
    std::vector<std::string> key;
    for (const auto& c : cols) key.push_back(key_text(t, t.at(c), r));
    auto [it, fresh] = seen.emplace(key, k.keys.size());
    if (fresh) k.keys.push_back(key);
    k.of_row.push_back(it->second);
  }
  return k;
}

}  // namespace

double aggregate(const std::string& how, std::vector<double> v) {
  if (how == "count") return double(v.size());
  if (v.empty()) return kNaN;
  if (std::any_of(v.begin(), v.end(), [](double x) { return std::isnan(x); })) return kNaN;
  double sum = 0.0;
  for (double x : v) sum += x;
  if (how == "sum") return sum;
  if (how == "mean" || how == "mean_ci") return sum / double(v.size());
  if (how == "min") return *std::min_element(v.begin(), v.end());
  if (how == "max") return *std::max_element(v.begin(), v.end());
  if (how == "frac_pos")
    return double(std::count_if(v.begin(), v.end(), [](double x) { return x > 0; })) /
           double(v.size());
  if (how == "median") {
    std::sort(v.begin(), v.end());
    const std::size_t m = v.size() / 2;
    return v.size() % 2 ? v[m] : 0.5 * (v[m - 1] + v[m]);
  }
  if (how == "std") {  // population standard deviation
    const double mean = sum / double(v.size());
    double ss = 0.0;
    for (double x : v) ss += (x - mean) * (x - mean);
    return std::sqrt(ss / double(v.size()));
  }
  throw Error("internal: unknown aggregate '" + how + "'");
}

Pivot make_pivot(const TableSpec& spec, const ResultTable& table) {
  check_where_values(spec, table);
  std::vector<std::size_t> rows;
  for (std::size_t r = 0; r < table.rows(); ++r) {
    bool keep = true;
    for (const auto& [col, want] : spec.where.items())
      keep = keep && cell_matches(table.at(col), r, want);
    if (keep) rows.push_back(r);
  }
  const KeyIndex rk = index_keys(table, spec.rows, rows);
  const KeyIndex ck = index_keys(table, spec.columns, rows);

  Pivot p;
  for (const auto& c : spec.rows) p.row_headers.push_back(spec.label(c));
  for (const auto& key : rk.keys) {
    std::vector<std::string> shown;
    for (const auto& k : key) shown.push_back(spec.label(k));
    p.row_keys.push_back(shown);
  }
  // Data columns: column key major, value minor.
  const std::size_t nvalues = spec.values.size(), ndata = ck.keys.size() * nvalues;
  for (const auto& key : ck.keys)
    for (const auto& v : spec.values) {
      std::vector<std::string> levels;
      for (const auto& k : key) levels.push_back(spec.label(k));
      if (nvalues > 1 || key.empty()) levels.push_back(spec.label(v));
      p.column_headers.push_back(levels);
      p.column_value.push_back(v);
    }
  std::vector<std::vector<std::vector<double>>> samples(rk.keys.size(),
                                                        std::vector<std::vector<double>>(ndata));
  std::vector<std::vector<std::vector<const double*>>> replicates(
      rk.keys.size(), std::vector<std::vector<const double*>>(ndata));
  for (std::size_t i = 0; i < rows.size(); ++i)
    for (std::size_t v = 0; v < nvalues; ++v) {
      const Column& c = table.at(spec.values[v]);
      const std::size_t d = ck.of_row[i] * nvalues + v;
      samples[rk.of_row[i]][d].push_back(c.numbers[rows[i]]);
      replicates[rk.of_row[i]][d].push_back(table.replicates(c, rows[i]));
    }
  p.cells.assign(rk.keys.size(), std::vector<double>(ndata, kNaN));
  for (std::size_t r = 0; r < rk.keys.size(); ++r)
    for (std::size_t d = 0; d < ndata; ++d)
      if (!samples[r][d].empty()) p.cells[r][d] = aggregate(spec.aggregate, samples[r][d]);
  if (spec.aggregate == "mean_ci")  // cell_interval.hpp
    fill_intervals(p, samples, replicates, table.replicate_count());

  p.styles.assign(rk.keys.size(), std::vector<std::vector<std::string>>(ndata));
  for (const auto& h : spec.highlights) {
    auto applies = [&](std::size_t d) {
      return h.values.empty() ||
             std::find(h.values.begin(), h.values.end(), p.column_value[d]) != h.values.end();
    };
    if (h.when == Highlight::When::Compare) {
      for (std::size_t r = 0; r < p.cells.size(); ++r)
        for (std::size_t d = 0; d < ndata; ++d)
          if (applies(d) &&
              (h.on_interval ? h.matches_interval(p.intervals[r][d].first, p.intervals[r][d].second)
                             : h.matches(p.cells[r][d])))
            p.styles[r][d].push_back(h.style);
      continue;
    }
    // Extremes among the cells of one row (or column) that share a value column.
    const bool want_max = h.when == Highlight::When::Max;
    auto better = [&](double a, double b) { return want_max ? a > b : a < b; };
    const std::size_t outer = h.per_row ? p.cells.size() : ndata;
    for (std::size_t o = 0; o < outer; ++o)
      for (std::size_t v = 0; v < nvalues; ++v) {
        std::vector<std::pair<std::size_t, std::size_t>> members;
        if (h.per_row) {
          for (std::size_t d = v; d < ndata; d += nvalues) members.emplace_back(o, d);
        } else {
          if (o % nvalues != v) continue;
          for (std::size_t r = 0; r < p.cells.size(); ++r) members.emplace_back(r, o);
        }
        double best = kNaN;
        for (auto [r, d] : members)
          if (applies(d) && !std::isnan(p.cells[r][d]) &&
              (std::isnan(best) || better(p.cells[r][d], best)))
            best = p.cells[r][d];
        if (std::isnan(best)) continue;
        for (auto [r, d] : members)
          if (applies(d) && p.cells[r][d] == best) p.styles[r][d].push_back(h.style);
      }
  }
  return p;
}

}  // namespace interplay::experiment
