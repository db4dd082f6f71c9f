#pragma once
// NumPy .npy files (format versions 1.0, 2.0 and 3.0).
// Reading accepts little-endian float32 ('<f4') and float64 ('<f8', converted
// to float32 with round-to-nearest-even) of any rank in C order; anything else
// (Fortran order, big-endian, other dtypes, a truncated file) is an Error
// naming the file and the problem. Writing produces float32 in C order.
#include <cstddef>
#include <string>

#include "core/tensor.hpp"

namespace interplay::io {

// The parsed header of a .npy file.
struct NpyHeader {
  int major_version = 1, minor_version = 0;
  std::string descr;  // e.g. "<f4"
  bool fortran_order = false;
  Shape shape;
  std::size_t data_offset = 0;  // bytes before the array data
};

// Parses the header at the start of `bytes` (the whole file or at least its
// header); `file` names the source in errors. Checks only the syntax: the
// dtype and order are validated by read_npy.
NpyHeader parse_npy_header(const std::string& bytes, const std::string& file);

// The version 1.0 header (magic through the padded dict) for a float32 C-order
// array of `shape`; version 2.0 if the dict does not fit 65535 bytes.
std::string npy_header_bytes(const Shape& shape);

Tensor read_npy(const std::string& path);

// Writes float32, C order, atomically: a temporary file in the same directory
// is renamed onto `path` only once complete.
void write_npy(const std::string& path, const Tensor& t);

}  // namespace interplay::io
