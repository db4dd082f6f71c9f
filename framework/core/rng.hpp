#pragma once
// Counter-based randomness: every random number is a pure function of
// (seed, stream, index), so results never depend on thread count or order.
#include <cstdint>
#ifdef __AVX512DQ__
#include <immintrin.h>
#endif

namespace interplay {

// SplitMix64 finaliser without its last xor-shift, which leaves bits
// 33..63 as they are: callers that keep only high bits use this (compilers
// do not drop the dead step themselves).
inline std::uint64_t mix64_high(std::uint64_t z) {
  z += 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  return (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
}

// SplitMix64 finaliser: a bijective, well-mixed 64-bit hash.
inline std::uint64_t mix64(std::uint64_t z) {
  z = mix64_high(z);
  return z ^ (z >> 31);
}

#ifdef __AVX512DQ__
// mix64_high and mix64 on eight 64-bit lanes.
inline __m512i mix64_high_x8(__m512i z) {
  z = _mm512_add_epi64(z, _mm512_set1_epi64(std::int64_t(0x9e3779b97f4a7c15ULL)));
  z = _mm512_xor_si512(z, _mm512_srli_epi64(z, 30));
  z = _mm512_mullo_epi64(z, _mm512_set1_epi64(std::int64_t(0xbf58476d1ce4e5b9ULL)));
  z = _mm512_xor_si512(z, _mm512_srli_epi64(z, 27));
  return _mm512_mullo_epi64(z, _mm512_set1_epi64(std::int64_t(0x94d049bb133111ebULL)));
}
inline __m512i mix64_x8(__m512i z) {
  z = mix64_high_x8(z);
  return _mm512_xor_si512(z, _mm512_srli_epi64(z, 31));
}
#endif

inline std::uint64_t counter_hash(std::uint64_t seed, std::uint64_t stream, std::uint64_t index) {
  return mix64(mix64(seed ^ mix64(stream)) + index);
}

// Uniform in [0, 1) with 24 random bits: exact as a float.
inline float uniform24(std::uint64_t seed, std::uint64_t stream, std::uint64_t index) {
  return static_cast<float>(counter_hash(seed, stream, index) >> 40) * 0x1p-24f;
}

// Uniform in [0, 1) with 53 random bits.
inline double uniform53(std::uint64_t seed, std::uint64_t stream, std::uint64_t index) {
  return static_cast<double>(counter_hash(seed, stream, index) >> 11) * 0x1p-53;
}

}  // namespace interplay
