#pragma once
// Internals shared by the hdf5*.cpp files (not part of the io API): error
// conversion, the DType <-> HDF5 type table, dataspaces and string reading.
#include <cstdint>
#include <string>
#include <vector>

#include "io/hdf5.hpp"

namespace interplay::io::h5::detail {

// HDF5 prints its error stack to stderr by default; the setting is per thread
// in thread-safe builds, so every entry point calls this first.
void silence_hdf5();

// Throws Error("<where>: <what> (<HDF5's innermost reason>)") and clears
// HDF5's error stack.
[[noreturn]] void fail(const std::string& where, const std::string& what);

// Passes a valid id through; fail()s on a negative one.
inline hid_t check(hid_t id, const std::string& where, const std::string& what) {
  if (id < 0) fail(where, what);
  return id;
}

// The in-memory HDF5 type of T (float, double, int32, int64, uint8).
template <class T>
hid_t memory_type();

Handle string_type(H5T_cset_t cset = H5T_CSET_UTF8);  // variable-length
Handle file_type(DType d);                            // little-endian, as numpy and h5py write
std::size_t dtype_size(DType d);
DType dtype_of(hid_t type);
bool is_numeric(hid_t type);

Shape shape_of(hid_t space);  // {} for a scalar space, {0} for a null one
Handle dataspace(const Shape& shape, bool extendible = false);

// H5Fget_file_image before HDF5 1.14.6 edits the superblock of the image
// (it clears the "open for writing" flags) without updating its checksum
// (HDF5 issue 1915), so the saved file would not open. Recomputes the
// checksum of a version 2/3 superblock at offset 0; other versions have none.
void repair_superblock_checksum(std::string& image);

// Jenkins' lookup3 hash ("hashlittle"), HDF5's metadata checksum.
std::uint32_t lookup3(const unsigned char* data, std::size_t size, std::uint32_t init = 0);

// Strings from a fixed-length buffer: cut at the first NUL, drop space padding.
std::string fixed_string(const char* p, std::size_t size, H5T_str_t pad);

// Reads n strings stored as `stored` (variable or fixed length) through
// `read(memory_type, buffer)`.
template <class ReadFn>
std::vector<std::string> read_string_values(hid_t stored, std::size_t n, ReadFn read) {
  std::vector<std::string> out(n);
  if (n == 0) return out;
  if (H5Tis_variable_str(stored) > 0) {
    Handle mem = string_type(H5Tget_cset(stored));
    std::vector<char*> ptrs(n, nullptr);
    read(mem.id(), ptrs.data());
    for (std::size_t i = 0; i < n; ++i) {
      if (ptrs[i]) out[i] = ptrs[i];
      H5free_memory(ptrs[i]);
    }
  } else {
    Handle mem(H5Tcopy(stored), H5Tclose);
    const std::size_t size = H5Tget_size(stored);
    std::vector<char> buf(size * n);
    read(mem.id(), buf.data());
    const H5T_str_t pad = H5Tget_strpad(stored);
    for (std::size_t i = 0; i < n; ++i) out[i] = fixed_string(buf.data() + i * size, size, pad);
  }
  return out;
}

std::vector<std::string> split_path(const std::string& path);  // "/a//b/" -> {a, b}

}  // namespace interplay::io::h5::detail
