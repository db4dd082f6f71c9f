// Repairs the superblock checksum of an in-memory file image (see
// hdf5_detail.hpp). Layout of a version 2/3 superblock (HDF5 file format
// specification, "Superblock"): signature (8), version (1), size of offsets
// O (1), size of lengths (1), file consistency flags (1), four addresses of
// O bytes each, then the lookup3 checksum of everything before it (4).
#include <cstring>

#include "io/hdf5_detail.hpp"

namespace interplay::io::h5::detail {
namespace {

constexpr unsigned char kSignature[8] = {0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};

inline std::uint32_t rotate(std::uint32_t x, int k) {
  return (x << k) | (x >> (32 - k));
}

inline void mix(std::uint32_t& a, std::uint32_t& b, std::uint32_t& c) {
  a -= c, a ^= rotate(c, 4), c += b;
  b -= a, b ^= rotate(a, 6), a += c;
  c -= b, c ^= rotate(b, 8), b += a;
  a -= c, a ^= rotate(c, 16), c += b;
  b -= a, b ^= rotate(a, 19), a += c;
  c -= b, c ^= rotate(b, 4), b += a;
}

inline void final_mix(std::uint32_t& a, std::uint32_t& b, std::uint32_t& c) {
  c ^= b, c -= rotate(b, 14);
  a ^= c, a -= rotate(c, 11);
  b ^= a, b -= rotate(a, 25);
  c ^= b, c -= rotate(b, 16);
  a ^= c, a -= rotate(c, 4);
  b ^= a, b -= rotate(a, 14);
  c ^= b, c -= rotate(b, 24);
}

inline std::uint32_t word(const unsigned char* p) {
  return std::uint32_t(p[0]) | std::uint32_t(p[1]) << 8 | std::uint32_t(p[2]) << 16 |
         std::uint32_t(p[3]) << 24;
}

}  // namespace

std::uint32_t lookup3(const unsigned char* k, std::size_t n, std::uint32_t init) {
  std::uint32_t a, b, c;
  a = b = c = 0xdeadbeefu + std::uint32_t(n) + init;
  for (; n > 12; n -= 12, k += 12) {
    a += word(k), b += word(k + 4), c += word(k + 8);
    mix(a, b, c);
  }
  if (n == 0) return c;
  unsigned char tail[12] = {0};  // the last 1..12 bytes, zero-padded
  std::memcpy(tail, k, n);
  a += word(tail), b += word(tail + 4), c += word(tail + 8);
  final_mix(a, b, c);
  return c;
}

void repair_superblock_checksum(std::string& image) {
  auto* p = reinterpret_cast<unsigned char*>(image.data());
  if (image.size() < 12 || std::memcmp(p, kSignature, 8) != 0) return;
  const unsigned version = p[8], offset_size = p[9];
  if (version < 2 || version > 3) return;
  const std::size_t body = 12 + 4 * std::size_t(offset_size);
  if (image.size() < body + 4) return;
  const std::uint32_t sum = lookup3(p, body);
  for (int i = 0; i < 4; ++i) p[body + i] = static_cast<unsigned char>(sum >> (8 * i));
}

}  // namespace interplay::io::h5::detail
