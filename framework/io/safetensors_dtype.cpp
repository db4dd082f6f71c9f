#include "io/safetensors_dtype.hpp"

#include <cmath>
#include <cstring>

#include "core/error.hpp"

namespace interplay::io::st {
namespace {

struct DTypeInfo {
  const char* name;
  std::size_t size;
};
// The dtypes of the reference implementation (safetensors 0.4).
constexpr DTypeInfo kDTypes[] = {{"F64", 8},     {"F32", 4},     {"F16", 2},  {"BF16", 2},
                                 {"I64", 8},     {"I32", 4},     {"I16", 2},  {"I8", 1},
                                 {"U64", 8},     {"U32", 4},     {"U16", 2},  {"U8", 1},
                                 {"BOOL", 1},    {"F8_E4M3", 1}, {"F8_E5M2", 1}};

std::uint32_t float_bits(float f) {
  std::uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}
float bits_float(std::uint32_t u) {
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

float half_to_float(std::uint16_t h) {
  const std::uint32_t sign = std::uint32_t(h & 0x8000) << 16;
  const std::uint32_t exp = (h >> 10) & 0x1f, man = h & 0x3ff;
  if (exp == 0x1f) return bits_float(sign | 0x7f800000u | (man << 13));  // Inf / NaN
  if (exp != 0) return bits_float(sign | ((exp + 112) << 23) | (man << 13));
  // Subnormal (or zero): man * 2^-24, exact in float32.
  const float v = std::ldexp(float(man), -24);
  return sign ? -v : v;
}

// Exact float -> half, or false when the value is not representable.
bool float_to_half_exact(float f, std::uint16_t& h) {
  const std::uint32_t u = float_bits(f);
  const std::uint16_t sign = std::uint16_t((u >> 16) & 0x8000);
  const std::uint32_t exp = (u >> 23) & 0xff, man = u & 0x7fffff;
  if (exp == 0xff) return h = std::uint16_t(sign | (man ? 0x7e00 : 0x7c00)), true;
  if (exp == 0 && man == 0) return h = sign, true;
  if (exp == 0) return false;  // float32 subnormals are far below half's range
  const int e = int(exp) - 127;
  if (e > 15) return false;
  if (e >= -14) {  // half normal: the low 13 mantissa bits must be zero
    if (man & 0x1fff) return false;
    return h = std::uint16_t(sign | ((e + 15) << 10) | (man >> 13)), true;
  }
  // Half subnormal k * 2^-24: the full significand times 2^(e+1) must be an integer.
  const int shift = -(e + 1);
  if (shift > 24) return false;
  const std::uint32_t full = man | 0x800000u;
  if (full & ((1u << shift) - 1)) return false;
  return h = std::uint16_t(sign | (full >> shift)), true;
}

template <class T>
T load_le(const std::uint8_t* p) {
  T v;  // the build targets little-endian hosts only (x86-64, aarch64)
  std::memcpy(&v, p, sizeof v);
  return v;
}

}  // namespace

std::size_t dtype_size(const std::string& dtype) {
  for (const auto& d : kDTypes)
    if (dtype == d.name) return d.size;
  return 0;
}

std::string known_dtypes() {
  std::string s;
  for (const auto& d : kDTypes) s += std::string(s.empty() ? "" : ", ") + d.name;
  return s;
}

bool is_float_dtype(const std::string& dtype) {
  return dtype == "F32" || dtype == "F16" || dtype == "BF16" || dtype == "F64";
}

void decode_floats(const std::string& dtype, const std::uint8_t* bytes, std::size_t count,
                   float* out) {
  if (!is_float_dtype(dtype))
    throw Error("dtype " + dtype + " is not a float type (F32, F16, BF16, F64)");
  if (count == 0) return;  // empty tensors may have null buffers
  if (dtype == "F32") {
    std::memcpy(out, bytes, count * 4);
  } else if (dtype == "F64") {
    for (std::size_t i = 0; i < count; ++i) out[i] = float(load_le<double>(bytes + 8 * i));
  } else if (dtype == "F16") {
    for (std::size_t i = 0; i < count; ++i) out[i] = half_to_float(load_le<std::uint16_t>(bytes + 2 * i));
  } else if (dtype == "BF16") {
    for (std::size_t i = 0; i < count; ++i)
      out[i] = bits_float(std::uint32_t(load_le<std::uint16_t>(bytes + 2 * i)) << 16);
  } else {
    throw Error("dtype " + dtype + " is not a float type (F32, F16, BF16, F64)");
  }
}

bool encode_exact(const std::string& dtype, const float* values, std::size_t count,
                  std::vector<std::uint8_t>& out) {
  if (count == 0) {  // empty tensors may have null buffers
    out.clear();
    return is_float_dtype(dtype);
  }
  if (dtype == "F32") {
    out.resize(count * 4);
    std::memcpy(out.data(), values, count * 4);
    return true;
  }
  if (dtype == "F64") {
    out.resize(count * 8);
    for (std::size_t i = 0; i < count; ++i) {
      const double d = values[i];
      std::memcpy(out.data() + 8 * i, &d, 8);
    }
    return true;
  }
  if (dtype == "F16") {
    out.resize(count * 2);
    for (std::size_t i = 0; i < count; ++i) {
      std::uint16_t h;
      if (!float_to_half_exact(values[i], h)) return false;
      std::memcpy(out.data() + 2 * i, &h, 2);
    }
    return true;
  }
  if (dtype == "BF16") {
    out.resize(count * 2);
    for (std::size_t i = 0; i < count; ++i) {
      std::uint32_t u = float_bits(values[i]);
      if (std::isnan(values[i])) u = (u & 0x80000000u) | 0x7fc00000u;  // quiet NaN, sign kept
      if (u & 0xffff) return false;
      const std::uint16_t h = std::uint16_t(u >> 16);
      std::memcpy(out.data() + 2 * i, &h, 2);
    }
    return true;
  }
  return false;
}

}  // namespace interplay::io::st
