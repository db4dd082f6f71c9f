// FILE.safetensors:NAME for io/tensor_file: read one tensor, or write one
// into a new or existing single-file checkpoint.
#include <sys/stat.h>

#include "core/error.hpp"
#include "io/atomic_output.hpp"
#include "io/checkpoint.hpp"
#include "io/safetensors_writer.hpp"

namespace interplay::io {
namespace {

bool exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

}  // namespace

Tensor read_checkpoint_tensor(const std::string& file, const std::string& name) {
  const Checkpoint c = Checkpoint::open(file);
  if (name.empty())
    throw Error(file + ": name the tensor to read as " + file + ":NAME; " + c.listing());
  return c.read(name);
}

void check_safetensors_target(const std::string& file, const std::string& name) {
  if (is_safetensors_index_path(file))
    throw Error(file + ": cannot write into a sharded checkpoint's index; write a .safetensors file");
  if (name.empty()) throw Error(file + ": name the tensor to write as " + file + ":NAME");
  check_output_path(file);
  if (exists(file)) SafetensorsFile::open(file);  // must be valid to be extended
}

void write_safetensors_tensor(const std::string& file, const std::string& name, const Tensor& t,
                              const std::map<std::string, std::string>& metadata) {
  check_safetensors_target(file, name);
  // The old file stays mapped (and intact) until the new one is renamed over it.
  std::vector<SafetensorsFile> old;
  if (exists(file)) old.push_back(SafetensorsFile::open(file));
  std::vector<SafetensorsWriter::Planned> plan;
  std::map<std::string, std::string> meta;
  if (!old.empty()) {
    meta = old[0].metadata();
    for (const auto& e : old[0].entries())
      if (e.name != name) plan.push_back({e.name, e.shape});
  }
  for (const auto& [k, v] : metadata) meta[k] = v;
  plan.push_back({name, t.shape});
  SafetensorsWriter w(file, plan, metadata_size(meta));
  if (!old.empty())
    for (const auto& e : old[0].entries())
      if (e.name != name) w.add(e.dtype, old[0].bytes(e), std::size_t(e.end - e.begin));
  w.add_float(t, "F32");
  w.finish(meta);
}

}  // namespace interplay::io
