#pragma once
// The safetensors format (Hugging Face): an 8-byte little-endian header
// length N, N bytes of JSON
//   {"__metadata__": {"k": "v", ...},
//    "NAME": {"dtype": "F32", "shape": [2, 3], "data_offsets": [BEGIN, END]}, ...}
// then the raw little-endian tensor data; offsets are relative to the end of
// the header. Files are memory-mapped, so opening a multi-GB checkpoint reads
// only its header and a tensor is paged in when it is read.
//
// Validation is strict and every failure is one Error naming the file and the
// problem: header length beyond the file, JSON that is invalid, too deep or
// not of this shape, duplicate names, unknown dtypes, element counts that
// overflow, a byte range that does not match shape x dtype, and ranges that
// are out of bounds, overlap or leave bytes of the data section unused.
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/tensor.hpp"

namespace interplay::io {

struct SafetensorsEntry {
  std::string name;
  std::string dtype;  // "F32", "BF16", ... (io/safetensors_dtype.hpp)
  Shape shape;
  std::uint64_t begin = 0, end = 0;  // byte range in the data section
};

class SafetensorsFile {
 public:
  // Maps and validates `path`.
  static SafetensorsFile open(const std::string& path);
  // Validates an in-memory image without copying it; `bytes` must outlive the
  // result. `label` names the image in errors.
  static SafetensorsFile parse(const std::uint8_t* bytes, std::size_t size,
                               const std::string& label);

  const std::string& path() const { return label_; }
  // In data order (ascending offsets), the order a writer laid them out.
  const std::vector<SafetensorsEntry>& entries() const { return entries_; }
  const SafetensorsEntry* find(const std::string& name) const;
  const std::map<std::string, std::string>& metadata() const { return metadata_; }

  // The entry's raw bytes (end - begin of them), valid while this object lives.
  const std::uint8_t* bytes(const SafetensorsEntry& e) const { return data_ + e.begin; }
  // F32/F16/BF16/F64 as float32; any other dtype is an Error naming the tensor.
  Tensor read(const SafetensorsEntry& e) const;
  // Reads by name; an unknown name lists the tensors in the file.
  Tensor read(const std::string& name) const;
  // "tensors in the file: a [2, 3] F32, ..." (at most 12 listed).
  std::string listing() const;

 private:
  std::shared_ptr<const void> mapping_;  // keeps the mmap alive; copies share it
  std::string label_;
  const std::uint8_t* data_ = nullptr;  // start of the data section
  std::vector<SafetensorsEntry> entries_;
  std::map<std::string, std::size_t> by_name_;
  std::map<std::string, std::string> metadata_;
};

// True when `path` ends in ".safetensors" (any case).
bool is_safetensors_path(const std::string& path);

}  // namespace interplay::io
