#include "proofs_check/counterexample_store.hpp"

#include <cstdio>

#include "core/error.hpp"
#include "core/json_text.hpp"
#include "core/json_text.hpp"
#include "io/atomic_output.hpp"
#include "io/hdf5.hpp"

namespace interplay::proofs {
namespace {

namespace h5 = io::h5;

const char* const kRoot = "/counterexamples";

std::string group_name(std::size_t index, const std::string& statement) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04zu_", index);
  return buf + statement;
}

void write_one(const h5::Group& g, const Counterexample& c) {
  json meta = c.to_json();
  meta.erase("x");
  meta.erase("activations");
  meta.erase("covariance");
  g.set_attribute("meta", meta.dump());
  g.create_dataset("x", h5::DType::Float32, c.x.shape).write(c.x.data.data());
  if (!c.act.empty())
    g.create_dataset("activations", h5::DType::Float32, {c.act.size()}).write(c.act.data());
  if (!c.covariance.empty()) {
    const std::size_t n = last_axis(c.x);
    g.create_dataset("covariance", h5::DType::Float64, {n, n}).write(c.covariance.data());
  }
}

Counterexample read_one(const h5::Group& g) {
  json j = parse_json(g.string_attribute("meta"), g.where() + ": attribute 'meta'");
  const h5::Dataset x = g.dataset("x");
  j["shape"] = x.shape();
  j["x"] = x.read<float>();
  j["activations"] =
      g.exists("activations") ? g.dataset("activations").read<float>() : std::vector<float>{};
  j["covariance"] =
      g.exists("covariance") ? g.dataset("covariance").read<double>() : std::vector<double>{};
  return Counterexample::from_json(j, g.where());
}

}  // namespace

void write_counterexamples(const std::string& path,
                           const std::vector<const Counterexample*>& list) {
  io::check_output_path(path);
  h5::File f = h5::File::create_in_memory(path);
  f.set_attribute("description", "interplay prove: shrunk counterexamples and witnesses");
  {
    const h5::Group root = f.require_group(kRoot);
    for (std::size_t i = 0; i < list.size(); ++i)
      write_one(root.require_group(group_name(i, list[i]->statement)), *list[i]);
  }
  f.save_atomically(path);
}

std::vector<StoredCounterexample> read_counterexamples(const std::string& spec) {
  const auto colon = spec.find(":/");
  const std::string file = colon == std::string::npos ? spec : spec.substr(0, colon);
  if (!h5::is_hdf5_file(file)) throw Error(file + ": not an HDF5 file (or missing)");
  const h5::File f = h5::File::open(file);
  std::vector<StoredCounterexample> out;
  if (colon != std::string::npos) {
    const h5::Group g = f.group(spec.substr(colon + 1));
    out.push_back({g.where(), read_one(g)});
    return out;
  }
  const h5::Group root = f.group(kRoot);
  // Every group that holds an "x" dataset is one counterexample.
  for (const auto& d : root.list_datasets()) {
    const std::string suffix = "/x";
    if (d.path.size() < suffix.size() || d.path.compare(d.path.size() - 2, 2, suffix) != 0)
      continue;
    const h5::Group g = f.group(d.path.substr(0, d.path.size() - 2));
    out.push_back({g.where(), read_one(g)});
  }
  return out;
}

}  // namespace interplay::proofs
