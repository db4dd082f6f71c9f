#pragma once
// The element types a safetensors file may declare, and the conversions
// interplay needs: F32/F16/BF16/F64 decode to float32 (F64 rounds to nearest
// even); float32 encodes back into F16/BF16/F64 only when every value is
// exactly representable, so a compressed tensor keeps its original dtype
// without a second rounding. Other dtypes (integers, bool, FP8) are known so
// that their tensors can be validated and copied byte for byte, never decoded.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace interplay::io::st {

// Bytes per element of a dtype named in a header; 0 for an unknown name.
std::size_t dtype_size(const std::string& dtype);
// "F64, F32, F16, BF16, ..." for error messages.
std::string known_dtypes();
// True for the dtypes read_as_float accepts.
bool is_float_dtype(const std::string& dtype);

// Decodes `count` little-endian elements of `dtype` (a float dtype) into out.
void decode_floats(const std::string& dtype, const std::uint8_t* bytes, std::size_t count,
                   float* out);

// Encodes float32 values as `dtype` (F32, F64, F16 or BF16) when every value
// is exactly representable (NaN counts as representable, Inf where the
// format has it); returns false and leaves `out` unspecified otherwise.
bool encode_exact(const std::string& dtype, const float* values, std::size_t count,
                  std::vector<std::uint8_t>& out);

}  // namespace interplay::io::st
