#pragma once
// Exact float32 bit-level helpers: exponents are read from the encoding,
// never from a floating-point log2.
#include <cstdint>
#include <cstring>

namespace interplay {

inline std::uint32_t float_bits(float f) {
  std::uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}
inline float bits_float(std::uint32_t u) {
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

// floor(log2(a)) for finite a > 0, subnormals included.
inline int floor_log2(float a) {
  const std::uint32_t b = float_bits(a) & 0x7fffffffu;
  if (b >> 23) return int(b >> 23) - 127;
  return (31 - __builtin_clz(b)) - 149;
}

// ceil(log2(a)) for finite a > 0: floor, plus one unless a is a power of two.
inline int ceil_log2(float a) {
  const std::uint32_t b = float_bits(a) & 0x7fffffffu;
  const bool pow2 = (b >> 23) ? (b & 0x7fffffu) == 0 : (b & (b - 1)) == 0;
  return floor_log2(a) + (pow2 ? 0 : 1);
}

// 2^e as a float for -149 <= e <= 127 (subnormal powers included).
inline float exp2i(int e) {
  if (e >= -126) return bits_float(std::uint32_t(e + 127) << 23);
  return bits_float(1u << (e + 149));
}

// Largest magnitude of a span and whether it holds a NaN or Inf. Works on
// the integer encodings, which order like magnitudes and vectorise.
struct SpanAmax {
  float amax;
  bool nonfinite;
};
// The largest |x| encoding of a span (sign bit cleared, so NaN and Inf come
// out at or above 0x7f800000): unsigned integer max, which vectorises.
inline std::uint32_t amax_bits(const float* x, std::size_t n) {
  std::uint32_t m = 0;
  for (std::size_t i = 0; i < n; ++i) {
    std::uint32_t b;
    std::memcpy(&b, x + i, 4);
    b &= 0x7fffffffu;
    m = b > m ? b : m;
  }
  return m;
}
inline SpanAmax span_amax(const float* x, std::size_t n) {
  const std::uint32_t m = amax_bits(x, n);
  return {bits_float(m), m >= 0x7f800000u};
}

// Smallest and largest value of a span of finite floats, via integer keys that
// order like the floats (so the loop vectorises without fast-math).
struct SpanRange {
  float lo, hi;
};
inline std::int32_t ordered_key(std::uint32_t b) {
  return std::int32_t(b ^ (std::uint32_t(std::int32_t(b) >> 31) & 0x7fffffffu));
}
inline float key_float(std::int32_t k) {
  const std::uint32_t b = std::uint32_t(k);
  return bits_float(b ^ (std::uint32_t(k >> 31) & 0x7fffffffu));
}
// The smallest and largest ordered_key of a span (lo > hi when n is 0).
struct RangeKeys {
  std::int32_t lo = 0x7fffffff, hi = std::int32_t(0x80000000u);
};
inline RangeKeys span_range_keys(const float* x, std::size_t n) {
  std::int32_t lo = RangeKeys{}.lo, hi = RangeKeys{}.hi;  // locals: the loop vectorises
  for (std::size_t i = 0; i < n; ++i) {
    std::uint32_t b;
    std::memcpy(&b, x + i, 4);
    const std::int32_t k = ordered_key(b);
    lo = k < lo ? k : lo;
    hi = k > hi ? k : hi;
  }
  return {lo, hi};
}
inline SpanRange span_range(const float* x, std::size_t n) {
  const RangeKeys k = span_range_keys(x, n);
  return {key_float(k.lo), key_float(k.hi)};
}

}  // namespace interplay
