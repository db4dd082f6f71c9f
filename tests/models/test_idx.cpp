// IDX loader: header validation, gzip and plain files, truncated / corrupted data.
#include <zlib.h>

#include <catch2/catch.hpp>

#include "core/error.hpp"
#include "io/idx.hpp"
#include "io/scratch.hpp"

using namespace interplay;
using interplay::test::ScratchDir;
using interplay::test::write_bytes;

namespace {

std::string be32(std::uint32_t v) {
  return {char(v >> 24), char((v >> 16) & 255), char((v >> 8) & 255), char(v & 255)};
}

// A valid ubyte IDX file of shape dims with bytes 0, 1, 2, ...
std::string idx_bytes(const std::vector<std::uint32_t>& dims) {
  std::string s = {0, 0, 8, char(dims.size())};
  std::size_t n = 1;
  for (auto d : dims) s += be32(d), n *= d;
  for (std::size_t i = 0; i < n; ++i) s += char(i % 251);
  return s;
}

void write_gzip(const std::string& path, const std::string& bytes) {
  gzFile f = gzopen(path.c_str(), "wb");
  REQUIRE(f != nullptr);
  REQUIRE(gzwrite(f, bytes.data(), unsigned(bytes.size())) == int(bytes.size()));
  gzclose(f);
}

// The message of the Error read_idx throws; fails the test if none is thrown.
std::string idx_error(const std::string& path) {
  try {
    read_idx(path);
  } catch (const Error& e) {
    return e.what();
  }
  FAIL("no error for " << path);
  return "";
}

void check_one_line_naming(const std::string& msg, const std::string& path) {
  CHECK(msg.find(path) == 0);
  CHECK(msg.find('\n') == std::string::npos);
}

}  // namespace

TEST_CASE("idx: plain and gzip files read back exactly", "[models][idx]") {
  ScratchDir dir;
  const std::string bytes = idx_bytes({3, 4, 5});
  write_bytes(dir.path("a.idx"), bytes);
  write_gzip(dir.path("a.idx.gz"), bytes);
  for (const std::string name : {"a.idx", "a.idx.gz"}) {
    const IdxArray a = read_idx(dir.path(name));
    CHECK(a.dims == std::vector<std::size_t>{3, 4, 5});
    REQUIRE(a.data.size() == 60);
    CHECK(a.data[0] == 0);
    CHECK(a.data[59] == 59);
  }
}

TEST_CASE("idx: bad headers are one-line errors naming the file", "[models][idx]") {
  ScratchDir dir;
  struct Case {
    std::string name, bytes, expect;
  };
  const std::string good = idx_bytes({2, 3});
  std::string float_type = good;
  float_type[2] = 0x0d;
  std::string zero_dims = good;
  zero_dims[3] = 0;
  std::string zero_dim = std::string{0, 0, 8, 2} + be32(2) + be32(0);
  const std::vector<Case> cases = {
      {"empty", "", "truncated IDX header"},
      {"short_magic", std::string{0, 0}, "truncated IDX header"},
      {"bad_magic", "PK\x03\x04" + good.substr(4), "not an IDX file"},
      {"float_type", float_type, "unsupported IDX element type 0x0d"},
      {"zero_dims", zero_dims, "declares 0 dimensions"},
      {"zero_dim", zero_dim, "dimension 1 is zero"},
      {"short_dims", good.substr(0, 10), "truncated IDX header"},
      {"short_body", good.substr(0, good.size() - 1), "expected 6 data bytes, found 5"},
      {"trailing", good + "x", "trailing bytes"},
  };
  for (const auto& c : cases) {
    SECTION(c.name) {
      const std::string path = dir.path(c.name + ".idx");
      write_bytes(path, c.bytes);
      const std::string msg = idx_error(path);
      check_one_line_naming(msg, path);
      CHECK_THAT(msg, Catch::Contains(c.expect));
    }
  }
}

TEST_CASE("idx: truncated and corrupted gzip streams are errors", "[models][idx]") {
  ScratchDir dir;
  const std::string bytes = idx_bytes({20, 28, 28});
  const std::string full = dir.path("full.gz");
  write_gzip(full, bytes);
  const std::string gz = interplay::test::read_bytes(full);

  SECTION("cut in the middle of the compressed stream") {
    const std::string path = dir.path("cut.gz");
    write_bytes(path, gz.substr(0, gz.size() / 2));
    const std::string msg = idx_error(path);
    check_one_line_naming(msg, path);
    CHECK_THAT(msg, Catch::Contains("truncated"));
  }
  SECTION("flipped bytes inside the compressed stream") {
    std::string bad = gz;
    for (std::size_t i = 20; i < 60 && i < bad.size(); ++i) bad[i] = char(bad[i] ^ 0x5a);
    const std::string path = dir.path("corrupt.gz");
    write_bytes(path, bad);
    const std::string msg = idx_error(path);
    check_one_line_naming(msg, path);
  }
  SECTION("missing file") {
    const std::string path = dir.path("missing.gz");
    CHECK_THAT(idx_error(path), Catch::Contains("cannot open"));
  }
}
