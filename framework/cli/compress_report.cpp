#include "cli/compress_report.hpp"

#include <cctype>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "io/atomic_output.hpp"
#include "io/hdf5.hpp"

namespace interplay::cli {
namespace {

std::string lower_ext(const std::string& path) {
  const auto dot = path.find_last_of('.'), slash = path.find_last_of('/');
  if (dot == std::string::npos || (slash != std::string::npos && dot < slash)) return "";
  std::string e = path.substr(dot);
  for (char& c : e) c = char(std::tolower(static_cast<unsigned char>(c)));
  return e;
}

// RFC 4180 quoting: a field with a comma, quote or newline is quoted.
std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

std::string number(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}

void write_csv(const std::vector<ReportColumn>& columns,
               const std::map<std::string, std::string>& attributes, const std::string& target) {
  std::ostringstream out;
  for (const auto& [k, v] : attributes) {
    std::string one = v;
    for (char& c : one)
      if (c == '\n' || c == '\r') c = ' ';
    out << "# " << k << ": " << one << "\n";
  }
  for (std::size_t c = 0; c < columns.size(); ++c)
    out << (c ? "," : "") << csv_field(columns[c].name);
  out << "\n";
  const std::size_t rows = columns.empty()   ? 0
                           : columns[0].text ? columns[0].strings.size()
                                             : columns[0].numbers.size();
  for (std::size_t r = 0; r < rows; ++r) {
    for (std::size_t c = 0; c < columns.size(); ++c)
      out << (c ? "," : "")
          << (columns[c].text ? csv_field(columns[c].strings[r]) : number(columns[c].numbers[r]));
    out << "\n";
  }
  io::write_file_atomically(target, out.str());
}

void write_h5(const std::vector<ReportColumn>& columns,
              const std::map<std::string, std::string>& attributes, const std::string& target) {
  auto f = io::h5::File::create_in_memory(target);
  for (const auto& [k, v] : attributes) f.set_attribute(k, v);
  nlohmann::json names = nlohmann::json::array();
  {
    auto points = f.require_group("/points");
    for (const auto& c : columns) {
      names.push_back(c.name);
      const std::size_t rows = c.text ? c.strings.size() : c.numbers.size();
      auto d = points.create_dataset(
          c.name, c.text ? io::h5::DType::String : io::h5::DType::Float64, {rows});
      if (rows == 0) continue;
      if (c.text)
        d.write_strings(c.strings);
      else
        d.write(c.numbers.data());
    }
    points.set_attribute("columns", names.dump());
  }
  f.save_atomically(target);
}

}  // namespace

void check_report_path(const std::string& path) {
  const std::string e = lower_ext(path);
  if (e != ".csv" && e != ".h5" && e != ".hdf5")
    throw Error("--report " + path + ": unknown report type '" + e + "' (known: .csv, .h5, .hdf5)");
  io::check_output_path(path);
}

void write_report(const std::string& path, const std::vector<ReportColumn>& columns,
                  const std::map<std::string, std::string>& attributes) {
  check_report_path(path);
  if (lower_ext(path) == ".csv")
    write_csv(columns, attributes, path);
  else
    write_h5(columns, attributes, path);
}

}  // namespace interplay::cli
