#pragma once
// The per-tensor report of a whole-checkpoint compress: one row per
// compressed tensor (name, shape, original and written dtype, every metric of
// the whole pipeline against the original, bits per element), as CSV or as
// an HDF5 file laid out like a results file's /points group (one 1-d column
// per field, attribute "columns"), so h5py/pandas and interplay.read_results
// read both alike. Written atomically.
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace interplay::cli {

struct ReportColumn {
  ReportColumn(std::string n, bool is_text) : name(std::move(n)), text(is_text) {}
  std::string name;
  bool text = false;
  std::vector<std::string> strings;
  std::vector<double> numbers;
};

// Throws Error unless `path` ends in .csv, .h5 or .hdf5 and could be written.
void check_report_path(const std::string& path);
// `attributes` become root attributes of an HDF5 report (provenance) and
// leading "# key: value" comment lines of a CSV one.
void write_report(const std::string& path, const std::vector<ReportColumn>& columns,
                  const std::map<std::string, std::string>& attributes);

}  // namespace interplay::cli
