#pragma once
// IDX files (the MNIST / Fashion-MNIST container): a big-endian header
// {0, 0, type, ndims, dim_0 .. dim_{n-1}} followed by the raw elements.
// Gzip-compressed and plain files are read the same way.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace interplay {

struct IdxArray {
  std::vector<std::size_t> dims;
  std::vector<std::uint8_t> data;  // row-major, numel(dims) bytes
};

// Reads an unsigned-byte (type 0x08) IDX file. Any malformed header, an
// unsupported element type, a truncated body or trailing bytes throw
// interplay::Error naming `path`.
IdxArray read_idx(const std::string& path);

}  // namespace interplay
