#pragma once
// The points table in memory: named columns of equal length, each numeric
// (float64, NaN = missing) or text. The same shape as the /points group of
// a results file, so writing and reading are one loop over columns.
#include <cstddef>
#include <string>
#include <vector>

namespace interplay::experiment {

struct Column {
  std::string name;
  bool text = false;
  std::vector<double> numbers;
  std::vector<std::string> strings;
  // Test-set bootstrap replicates of a numeric column (model points):
  // ResultTable::replicate_count() values per row, row-major; empty when the
  // column has none. Rows without replicates hold NaN.
  std::vector<double> replicates;

  std::size_t size() const { return text ? strings.size() : numbers.size(); }
};

// A column's name and kind, before any values exist.
struct ColumnDef {
  std::string name;
  bool text = false;
};

class ResultTable {
 public:
  // Appends an empty-valued column (NaN or "") of the current length.
  Column& add_column(const std::string& name, bool text);
  const Column* find(const std::string& name) const;
  Column* find(const std::string& name);
  const Column& at(const std::string& name) const;  // throws if missing

  const std::vector<Column>& columns() const { return columns_; }
  std::vector<Column>& columns() { return columns_; }
  std::size_t rows() const { return rows_; }
  void set_rows(std::size_t n);  // resizes every column (new cells NaN / "")
  // Replicates per row for the columns that carry them (0: none).
  std::size_t replicate_count() const { return replicate_count_; }
  // Gives `c` (of this table) NaN replicates, replicate_count per row.
  void add_replicates(Column& c, std::size_t replicate_count);
  const double* replicates(const Column& c, std::size_t row) const {
    return c.replicates.empty() ? nullptr : c.replicates.data() + row * replicate_count_;
  }
  std::vector<std::string> names() const;

  // A cell as text (numbers in shortest round-trip form, NaN as "nan").
  std::string cell_text(const Column& c, std::size_t row) const;

 private:
  std::vector<Column> columns_;
  std::size_t rows_ = 0;
  std::size_t replicate_count_ = 0;
};

// Shortest decimal text that parses back to exactly `v` ("0.1", "8.25", "nan", "inf").
std::string shortest_number(double v);

}  // namespace interplay::experiment
