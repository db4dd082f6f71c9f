#include "io/safetensors_writer.hpp"

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "io/safetensors_dtype.hpp"

namespace interplay::io {
namespace {

using json = nlohmann::json;

json entry_json(const std::string& dtype, const Shape& shape, std::uint64_t begin,
                std::uint64_t end) {
  return {{"dtype", dtype}, {"shape", shape}, {"data_offsets", {begin, end}}};
}

}  // namespace

SafetensorsWriter::SafetensorsWriter(const std::string& path, std::vector<Planned> tensors,
                                     std::size_t metadata_reserve)
    : out_(path), plan_(std::move(tensors)) {
  // Worst case: the longest dtype name and 20-digit offsets for every tensor.
  json worst = json::object();
  constexpr std::uint64_t kMax = ~std::uint64_t(0);
  for (const auto& p : plan_) {
    if (p.name.empty() || p.name == "__metadata__")
      throw Error(path + ": '" + p.name + "' cannot name a tensor");
    if (worst.contains(p.name)) throw Error(path + ": duplicate tensor name '" + p.name + "'");
    worst[p.name] = entry_json("F8_E4M3", p.shape, kMax, kMax);
  }
  worst["__metadata__"] = json::object();
  reserved_ = worst.dump().size() + metadata_reserve + 8;
  reserved_ += (8 - reserved_ % 8) % 8;  // data starts 8-byte aligned
  file_.open(out_.temp_path(), std::ios::binary | std::ios::trunc);
  if (!file_) throw Error(path + ": cannot write the temporary file");
  file_.seekp(std::streamoff(8 + reserved_));
}

void SafetensorsWriter::add(const std::string& dtype, const std::uint8_t* bytes,
                            std::size_t size) {
  const std::size_t i = dtypes_.size();
  if (i >= plan_.size()) throw Error(out_.target() + ": more tensors written than planned");
  std::uint64_t count = numel(plan_[i].shape);
  if (count * st::dtype_size(dtype) != size)
    throw Error(out_.target() + ": tensor '" + plan_[i].name + "': " + std::to_string(size) +
                " bytes do not match shape " + shape_string(plan_[i].shape) + " of " + dtype);
  file_.write(reinterpret_cast<const char*>(bytes), std::streamsize(size));
  if (!file_) throw Error(out_.target() + ": write failed (disk full?)");
  written_ += size;
  dtypes_.push_back(dtype);
  ends_.push_back(written_);
}

std::string SafetensorsWriter::add_float(const Tensor& t, const std::string& dtype) {
  std::vector<std::uint8_t> bytes;
  std::string used = dtype;
  if (!st::encode_exact(dtype, t.data.data(), t.size(), bytes)) {
    used = "F32";
    st::encode_exact(used, t.data.data(), t.size(), bytes);
  }
  add(used, bytes.data(), bytes.size());
  return used;
}

void SafetensorsWriter::finish(const std::map<std::string, std::string>& metadata) {
  if (dtypes_.size() != plan_.size())
    throw Error(out_.target() + ": " + std::to_string(plan_.size() - dtypes_.size()) +
                " planned tensors were never written");
  json header = json::object();
  std::uint64_t begin = 0;
  for (std::size_t i = 0; i < plan_.size(); ++i) {
    header[plan_[i].name] = entry_json(dtypes_[i], plan_[i].shape, begin, ends_[i]);
    begin = ends_[i];
  }
  if (!metadata.empty()) header["__metadata__"] = metadata;
  std::string text = header.dump();
  if (text.size() > reserved_)
    throw Error(out_.target() + ": header (" + std::to_string(text.size()) +
                " bytes) exceeds the reserved space; metadata too long");
  text.resize(std::size_t(reserved_), ' ');
  unsigned char len[8];
  for (int k = 0; k < 8; ++k) len[k] = static_cast<unsigned char>(reserved_ >> (8 * k));
  file_.seekp(0);
  file_.write(reinterpret_cast<const char*>(len), 8);
  file_.write(text.data(), std::streamsize(text.size()));
  file_.close();
  if (!file_) throw Error(out_.target() + ": write failed (disk full?)");
  out_.commit();
}

std::size_t metadata_size(const std::map<std::string, std::string>& metadata) {
  std::size_t n = 0;
  for (const auto& [k, v] : metadata) n += json(k).dump().size() + json(v).dump().size() + 2;
  return n;
}

void write_safetensors(const std::string& path, const std::vector<NamedTensor>& tensors,
                       const std::map<std::string, std::string>& metadata) {
  std::vector<SafetensorsWriter::Planned> plan;
  for (const auto& t : tensors) plan.push_back({t.name, t.tensor.shape});
  SafetensorsWriter w(path, std::move(plan), metadata_size(metadata));
  for (const auto& t : tensors) w.add_float(t.tensor, t.dtype);
  w.finish(metadata);
}

}  // namespace interplay::io
