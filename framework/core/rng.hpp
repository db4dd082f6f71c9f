#pragma once
// Counter-based randomness: every random number is a pure function of
// (seed, stream, index), so results never depend on thread count or order.
#include <cstdint>

namespace interplay {

// SplitMix64 finaliser: a bijective, well-mixed 64-bit hash.
inline std::uint64_t mix64(std::uint64_t z) {
  z += 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

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
