#pragma once
// Writes a safetensors file one tensor at a time, so a whole checkpoint is
// never held in memory. The tensor names and shapes are declared up front;
// the header (whose dtypes and offsets are known only at the end) gets a
// reserved region sized for the worst case and is padded with spaces, which
// the format allows. The file appears atomically on finish(); a writer
// destroyed before that leaves nothing behind.
#include <cstdint>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "core/tensor.hpp"
#include "io/atomic_output.hpp"

namespace interplay::io {

class SafetensorsWriter {
 public:
  struct Planned {
    std::string name;
    Shape shape;
  };
  // `metadata_reserve`: the most bytes the __metadata__ values and keys given
  // to finish() will take (their JSON-escaped length).
  SafetensorsWriter(const std::string& path, std::vector<Planned> tensors,
                    std::size_t metadata_reserve);

  // Appends the next planned tensor (in plan order) with `dtype`'s raw bytes.
  void add(const std::string& dtype, const std::uint8_t* bytes, std::size_t size);
  // Float32 data, kept in `dtype` when every value is exactly representable
  // there (F16, BF16, F64); returns the dtype actually written.
  std::string add_float(const Tensor& t, const std::string& dtype);

  void finish(const std::map<std::string, std::string>& metadata);

 private:
  AtomicOutput out_;
  std::ofstream file_;
  std::vector<Planned> plan_;
  std::vector<std::string> dtypes_;
  std::vector<std::uint64_t> ends_;
  std::uint64_t reserved_ = 0, written_ = 0;
};

// The JSON-escaped size of `metadata`, for metadata_reserve.
std::size_t metadata_size(const std::map<std::string, std::string>& metadata);

// One-shot convenience: every tensor float32-or-kept as above.
struct NamedTensor {
  std::string name;
  Tensor tensor;
  std::string dtype = "F32";
};
void write_safetensors(const std::string& path, const std::vector<NamedTensor>& tensors,
                       const std::map<std::string, std::string>& metadata = {});

}  // namespace interplay::io
