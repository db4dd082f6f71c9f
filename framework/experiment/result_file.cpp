#include "experiment/result_file.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>

#include "core/error.hpp"
#include "core/json_text.hpp"
#include "core/provenance.hpp"
#include "core/version.hpp"
#include "experiment/config.hpp"
#include "experiment/derived.hpp"
#include "io/atomic_output.hpp"
#include "io/hdf5.hpp"

namespace interplay::experiment {
namespace {

std::string dir_of(const std::string& p) {
  const auto s = p.rfind('/');
  return s == std::string::npos ? "." : s == 0 ? "/" : p.substr(0, s);
}

std::string base_of(const std::string& p) {
  const auto s = p.rfind('/');
  return s == std::string::npos ? p : p.substr(s + 1);
}

// The columns with replicates that are not derived from others.
std::vector<std::string> measured_replicate_columns(const ResultTable& table, const json& config) {
  if (table.replicate_count() == 0) return {};
  std::vector<std::string> derived;
  if (config.contains("derived")) {
    std::vector<std::string> numeric;
    for (const auto& c : table.columns())
      if (!c.text) numeric.push_back(c.name);
    derived = derived_columns(parse_derived(config.at("derived"), "derived", numeric));
  }
  std::vector<std::string> out;
  for (const auto& c : table.columns())
    if (!c.replicates.empty() && std::find(derived.begin(), derived.end(), c.name) == derived.end())
      out.push_back(c.name);
  return out;
}

void read_replicates(const io::h5::Group& group, const std::string& path, LoadedResults& r) {
  const json names =
      parse_json(group.string_attribute("columns"), path + ": /replicates attribute 'columns'");
  if (!names.is_array()) throw Error(path + ": /replicates attribute 'columns' is not a list");
  for (const auto& n : names) {
    const std::string name = n.is_string() ? n.get<std::string>() : std::string();
    Column* c = r.table.find(name);
    if (!c || c->text)
      throw Error(path + ": /replicates/" + name + " has no numeric column in /points");
    const auto d = group.dataset(name);
    const Shape shape = d.shape();
    if (shape.size() != 2 || shape[0] != r.table.rows() || shape[1] == 0)
      throw Error(path + ": /replicates/" + name + " has shape " + shape_string(shape) +
                  ", expected [" + std::to_string(r.table.rows()) + ", replicates]");
    r.table.add_replicates(*c, shape[1]);
    c->replicates = d.read<double>();
  }
  if (r.info.config.contains("derived")) {
    std::vector<std::string> numeric;
    for (const auto& c : r.table.columns())
      if (!c.text) numeric.push_back(c.name);
    try {
      compute_derived(r.table, parse_derived(r.info.config.at("derived"), "derived", numeric));
    } catch (const Error& e) {
      throw Error(path + ": stored config: " + e.what());
    }
  }
}

}  // namespace

void write_results(const std::string& path, const RunInfo& info, const ResultTable& table) {
  auto f = io::h5::File::create_in_memory(path);
  f.set_attribute("schema_version", kResultsSchemaVersion);
  f.set_attribute("tool", "interplay");
  f.set_attribute("version", kVersion);
  f.set_attribute("git_commit", kGitCommit);
  f.set_attribute("build_type", kBuildType);
  f.set_attribute("config", info.config.dump());
  f.set_attribute("config_file", info.config_file);
  f.set_attribute("host", info.host);
  f.set_attribute("numerics", numeric_provenance().dump());  // BLAS kernel etc.
  f.set_attribute("threads", info.threads);
  f.set_attribute("start_time", info.start_time);
  f.set_attribute("end_time", info.end_time);
  f.set_attribute("runs", info.runs);
  f.set_attribute("points_total", info.points_total);
  f.set_attribute("points_done", std::int64_t(table.rows()));
  f.set_attribute("complete", std::int64_t(info.complete ? 1 : 0));
  {
    auto points = f.require_group("points");  // closed before the image is taken
    json names = json::array();
    for (const auto& c : table.columns()) {
      names.push_back(c.name);
      const Shape shape{table.rows()};
      if (c.text) {
        points.create_dataset(c.name, io::h5::DType::String, shape).write_strings(c.strings);
      } else {
        points.create_dataset(c.name, io::h5::DType::Float64, shape).write(c.numbers.data());
      }
    }
    points.set_attribute("columns", names.dump());
  }
  // Test-set replicates of the measured columns only: the derived ones are
  // recomputed on reading (they would multiply the file size several times).
  const std::vector<std::string> replicated = measured_replicate_columns(table, info.config);
  if (!replicated.empty()) {
    auto group = f.require_group("replicates");
    for (const auto& name : replicated) {
      const Column& c = table.at(name);
      group.create_dataset(name, io::h5::DType::Float64, {table.rows(), table.replicate_count()})
          .write(c.replicates.data());
    }
    group.set_attribute("columns", json(replicated).dump());
  }
  f.save_atomically(path);
}

LoadedResults read_results(const std::string& path) {
  if (!io::h5::is_hdf5_file(path)) throw Error(path + ": not an HDF5 file (or missing)");
  const auto f = io::h5::File::open(path);
  LoadedResults r;
  if (!f.has_attribute("schema_version") || !f.has_attribute("config") || !f.exists("points"))
    throw Error(path + ": not an interplay results file (no schema_version/config/points)");
  const std::int64_t version = f.integer_attribute("schema_version");
  if (version != kResultsSchemaVersion)
    throw Error(path + ": results schema version " + std::to_string(version) +
                ", this tool reads " + std::to_string(kResultsSchemaVersion));
  r.info.config = parse_json(f.string_attribute("config"), path + ": attribute 'config'");
  auto text_attr = [&](const char* n) {
    return f.has_attribute(n) ? f.string_attribute(n) : std::string();
  };
  r.info.config_file = text_attr("config_file");
  r.info.host = text_attr("host");
  r.info.start_time = text_attr("start_time");
  r.info.end_time = text_attr("end_time");
  if (f.has_attribute("threads")) r.info.threads = f.integer_attribute("threads");
  if (f.has_attribute("runs")) r.info.runs = f.integer_attribute("runs");
  if (f.has_attribute("points_total")) r.info.points_total = f.integer_attribute("points_total");
  if (f.has_attribute("complete")) r.info.complete = f.integer_attribute("complete") != 0;

  const auto points = f.group("points");
  json names;
  names = parse_json(points.string_attribute("columns"), path + ": /points attribute 'columns'");
  bool first = true;
  for (const auto& n : names) {
    const std::string name = n.get<std::string>();
    const auto d = points.dataset(name);
    const bool text = d.dtype() == io::h5::DType::String;
    if (first) r.table.set_rows(d.size()), first = false;
    if (d.size() != r.table.rows())
      throw Error(path + ": /points/" + name + " has " + std::to_string(d.size()) +
                  " rows, expected " + std::to_string(r.table.rows()));
    Column& c = r.table.add_column(name, text);
    if (text)
      c.strings = d.read_strings();
    else
      c.numbers = d.read<double>();
  }
  // The columns every run writes have fixed kinds; a file that disagrees was
  // not written by interplay (or was edited) and would render nonsense.
  if (!r.table.find("id")) throw Error(path + ": /points has no 'id' column");
  for (const char* name : {"id", "input", "activation", "sparsity", "format", "order", "pipeline"})
    if (const Column* c = r.table.find(name); c && !c->text)
      throw Error(path + ": /points/" + name + " must hold text, it holds numbers");
  if (const Column* c = r.table.find("bits_per_element"); c && c->text)
    throw Error(path + ": /points/bits_per_element must hold numbers, it holds text");
  if (f.exists("replicates")) read_replicates(f.group("replicates"), path, r);
  return r;
}

void remove_stale_temporaries(const std::string& path) {
  const std::string prefix = "." + base_of(path) + ".tmp-";
  DIR* dir = ::opendir(dir_of(path).c_str());
  if (!dir) return;
  while (const dirent* e = ::readdir(dir)) {
    const std::string name = e->d_name;
    if (name.rfind(prefix, 0) == 0) std::remove((dir_of(path) + "/" + name).c_str());
  }
  ::closedir(dir);
}

}  // namespace interplay::experiment
