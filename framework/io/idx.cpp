#include "io/idx.hpp"

#include <zlib.h>

#include <memory>

#include "core/error.hpp"
#include "core/memory.hpp"
#include "io/atomic_output.hpp"

namespace interplay {
namespace {

struct GzCloser {
  void operator()(gzFile_s* f) const { gzclose(f); }
};
using GzFile = std::unique_ptr<gzFile_s, GzCloser>;

// Reads up to n bytes; returns how many were read (short only at end of data).
std::size_t read_bytes(gzFile f, void* dst, std::size_t n, const std::string& path) {
  std::size_t done = 0;
  auto* p = static_cast<unsigned char*>(dst);
  while (done < n) {
    const unsigned chunk = unsigned(std::min<std::size_t>(n - done, 1u << 30));
    const int got = gzread(f, p + done, chunk);
    if (got < 0) {
      int code = 0;
      const char* msg = gzerror(f, &code);
      throw Error(path + ": corrupted or truncated IDX file (" +
                  std::string(msg ? msg : "zlib error") + ")");
    }
    if (got == 0) break;
    done += std::size_t(got);
  }
  return done;
}

std::uint32_t big_endian_u32(const unsigned char* b) {
  return (std::uint32_t(b[0]) << 24) | (std::uint32_t(b[1]) << 16) | (std::uint32_t(b[2]) << 8) |
         std::uint32_t(b[3]);
}

}  // namespace

IdxArray read_idx(const std::string& path) {
  io::check_regular_file(path);  // gzopen on a FIFO would block
  GzFile file(gzopen(path.c_str(), "rb"));
  if (!file) throw Error(path + ": cannot open IDX file");
  gzFile f = file.get();

  unsigned char magic[4];
  if (read_bytes(f, magic, 4, path) != 4) throw Error(path + ": truncated IDX header");
  if (magic[0] != 0 || magic[1] != 0)
    throw Error(path + ": not an IDX file (magic must start with two zero bytes)");
  if (magic[2] != 0x08)
    throw Error(path + ": unsupported IDX element type 0x" + "0123456789abcdef"[magic[2] >> 4] +
                "0123456789abcdef"[magic[2] & 15] + " (only unsigned byte, 0x08)");
  const unsigned ndims = magic[3];
  if (ndims == 0 || ndims > 8)
    throw Error(path + ": IDX header declares " + std::to_string(ndims) +
                " dimensions (expected 1 to 8)");

  IdxArray a;
  std::size_t total = 1;
  for (unsigned d = 0; d < ndims; ++d) {
    unsigned char b[4];
    if (read_bytes(f, b, 4, path) != 4) throw Error(path + ": truncated IDX header");
    const std::uint32_t n = big_endian_u32(b);
    if (n == 0) throw Error(path + ": IDX dimension " + std::to_string(d) + " is zero");
    // Guard the product: no real IDX file comes near 2^40 elements.
    if (total > (std::size_t(1) << 40) / n)
      throw Error(path + ": IDX dimensions are implausibly large");
    a.dims.push_back(n);
    total *= n;
  }

  check_fits_in_memory(total, path + ": IDX header declares " + std::to_string(total) + " bytes");
  // Grow with the data actually present: a tiny file with a huge header must
  // fail on its missing bytes, not on a huge allocation first.
  std::size_t got = 0;
  while (got < total) {
    const std::size_t want = std::min<std::size_t>(total - got, std::size_t(1) << 26);
    a.data.resize(got + want);
    const std::size_t n = read_bytes(f, a.data.data() + got, want, path);
    got += n;
    if (n < want) break;
  }
  if (got != total)
    throw Error(path + ": truncated IDX file: expected " + std::to_string(total) +
                " data bytes, found " + std::to_string(got));
  unsigned char extra;
  if (read_bytes(f, &extra, 1, path) != 0)
    throw Error(path + ": IDX file has trailing bytes after " + std::to_string(total) +
                " data bytes");
  return a;
}

}  // namespace interplay
