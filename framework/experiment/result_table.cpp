#include "experiment/result_table.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>

#include "core/error.hpp"

namespace interplay::experiment {

Column& ResultTable::add_column(const std::string& name, bool text) {
  if (find(name)) throw Error("internal: duplicate result column '" + name + "'");
  Column c;
  c.name = name, c.text = text;
  if (text)
    c.strings.assign(rows_, "");
  else
    c.numbers.assign(rows_, std::numeric_limits<double>::quiet_NaN());
  columns_.push_back(std::move(c));
  return columns_.back();
}

const Column* ResultTable::find(const std::string& name) const {
  for (const auto& c : columns_)
    if (c.name == name) return &c;
  return nullptr;
}

Column* ResultTable::find(const std::string& name) {
  for (auto& c : columns_)
    if (c.name == name) return &c;
  return nullptr;
}

const Column& ResultTable::at(const std::string& name) const {
  if (const Column* c = find(name)) return *c;
  throw Error("results have no column '" + name + "'");
}

void ResultTable::set_rows(std::size_t n) {
  rows_ = n;
  for (auto& c : columns_) {
    if (c.text)
      c.strings.resize(n);
    else
      c.numbers.resize(n, std::numeric_limits<double>::quiet_NaN());
    if (!c.replicates.empty())
      c.replicates.resize(n * replicate_count_, std::numeric_limits<double>::quiet_NaN());
  }
}

void ResultTable::add_replicates(Column& c, std::size_t replicate_count) {
  if (c.text || replicate_count == 0)
    throw Error("internal: replicates need a numeric column and a count");
  if (replicate_count_ && replicate_count_ != replicate_count)
    throw Error("internal: every column of a table has the same number of replicates");
  replicate_count_ = replicate_count;
  c.replicates.assign(rows_ * replicate_count, std::numeric_limits<double>::quiet_NaN());
}

std::vector<std::string> ResultTable::names() const {
  std::vector<std::string> n;
  for (const auto& c : columns_) n.push_back(c.name);
  return n;
}

std::string ResultTable::cell_text(const Column& c, std::size_t row) const {
  return c.text ? c.strings[row] : shortest_number(c.numbers[row]);
}

std::string shortest_number(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[40];
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  return buf;
}

}  // namespace interplay::experiment
