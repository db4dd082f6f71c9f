// .npy reading and writing: round trips, numpy's exact header bytes, hand-made
// files of every supported version and dtype, and one clear error per defect.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <limits>

#include "core/error.hpp"
#include "io/npy.hpp"
#include "io/scratch.hpp"

using namespace interplay;
using Catch::Matchers::Contains;
using interplay::test::ScratchDir;

namespace {

// A .npy file from its parts: version, header dict text and raw data bytes.
std::string npy_file(int major, const std::string& dict, const std::string& data) {
  std::string out = std::string("\x93NUMPY", 6) + static_cast<char>(major) + '\0';
  const std::size_t len_bytes = major == 1 ? 2 : 4;
  for (std::size_t k = 0; k < len_bytes; ++k)
    out += static_cast<char>((dict.size() >> (8 * k)) & 0xff);
  return out + dict + data;
}

template <class T>
std::string raw(const std::vector<T>& v) {
  return std::string(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T));
}

Tensor ramp(const Shape& shape) {
  Tensor t(shape);
  for (std::size_t i = 0; i < t.size(); ++i) t.data[i] = 0.37f * static_cast<float>(i) - 1.5f;
  return t;
}

bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

}  // namespace

TEST_CASE("npy round trip keeps shape and every bit, for several ranks", "[io]") {
  ScratchDir dir;
  const std::vector<Shape> shapes = {{},     {0},       {1},       {7},
                                     {3, 4}, {2, 0, 3}, {2, 3, 4}, {1, 2, 1, 3, 2}};
  for (const Shape& shape : shapes) {
    CAPTURE(shape_string(shape));
    Tensor t = ramp(shape);
    if (t.size() >= 4) {  // special values survive unchanged
      t.data[0] = -0.0f;
      t.data[1] = std::numeric_limits<float>::infinity();
      t.data[2] = std::numeric_limits<float>::quiet_NaN();
      t.data[3] = std::numeric_limits<float>::denorm_min();
    }
    const std::string path = dir.path("t.npy");
    io::write_npy(path, t);
    const Tensor back = io::read_npy(path);
    CHECK(back.shape == shape);
    CHECK(same_bits(back.data, t.data));
    // numpy aligns the data to 64 bytes.
    CHECK(io::parse_npy_header(test::read_bytes(path), path).data_offset % 64 == 0);
  }
  CHECK(dir.entries() == std::vector<std::string>{"t.npy"});  // no temporary left behind
}

TEST_CASE("npy header bytes are exactly numpy's for float32 C order", "[io]") {
  const std::string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
  const std::string expected =
      std::string("\x93NUMPY\x01\x00\x76\x00", 10) + dict + std::string(58, ' ') + "\n";
  CHECK(io::npy_header_bytes({2, 3}) == expected);
  CHECK(expected.size() == 128);
  CHECK_THAT(io::npy_header_bytes({}), Contains("'shape': (), }"));
  CHECK_THAT(io::npy_header_bytes({5}), Contains("'shape': (5,), }"));
}

TEST_CASE("npy reads a hand-made float32 file", "[io]") {
  ScratchDir dir;
  const std::string path = dir.path("hand.npy");
  const std::vector<float> values = {1.0f, -2.5f, 3.25f, 0.0f, 1e-3f, 65504.0f};
  test::write_bytes(
      path,
      npy_file(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), }\n", raw(values)));
  const Tensor t = io::read_npy(path);
  CHECK(t.shape == Shape{3, 2});
  CHECK(t.data == values);
}

TEST_CASE("npy accepts versions 2.0 and 3.0, any key order, quotes and Python 2 longs", "[io]") {
  ScratchDir dir;
  const std::string path = dir.path("v.npy");
  const std::vector<float> values = {1, 2, 3, 4};
  for (int major : {2, 3}) {
    test::write_bytes(
        path, npy_file(major, R"({"shape": (2L, 2L), "fortran_order": False, "descr": "<f4"})",
                       raw(values)));
    const Tensor t = io::read_npy(path);
    CHECK(t.shape == Shape{2, 2});
    CHECK(t.data == values);
  }
}

TEST_CASE("npy float64 input is rounded to nearest float32", "[io]") {
  ScratchDir dir;
  const std::string path = dir.path("f8.npy");
  const std::vector<double> values = {0.1,
                                      -1.0 / 3.0,
                                      1.0 + std::ldexp(1.0, -30),
                                      1.0 + 3 * std::ldexp(1.0, -24),  // a tie: rounds to even
                                      1e300,
                                      -1e-300,
                                      2.5};
  test::write_bytes(
      path, npy_file(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (7,), }", raw(values)));
  const Tensor t = io::read_npy(path);
  REQUIRE(t.shape == Shape{7});
  CHECK(t.data[0] == 0.1f);
  CHECK(t.data[1] == static_cast<float>(-1.0 / 3.0));
  CHECK(t.data[2] == 1.0f);
  CHECK(t.data[3] == 1.0f + std::ldexp(1.0f, -22));
  CHECK(std::isinf(t.data[4]));
  CHECK(t.data[5] == 0.0f);
  CHECK(std::signbit(t.data[5]));
  CHECK(t.data[6] == 2.5f);
}

TEST_CASE("npy float64 of several ranks, including a scalar, reads with its shape", "[io]") {
  ScratchDir dir;
  const std::string path = dir.path("f8.npy");
  test::write_bytes(path, npy_file(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (), }",
                                   raw(std::vector<double>{-4.75})));
  Tensor t = io::read_npy(path);
  CHECK(t.shape.empty());
  CHECK(t.data == std::vector<float>{-4.75f});

  std::vector<double> many(2 * 3 * 70000);  // more than one conversion slice
  for (std::size_t i = 0; i < many.size(); ++i) many[i] = 0.001 * static_cast<double>(i);
  test::write_bytes(
      path,
      npy_file(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3, 70000), }", raw(many)));
  t = io::read_npy(path);
  REQUIRE(t.shape == Shape{2, 3, 70000});
  bool all_equal = true;
  for (std::size_t i = 0; i < many.size(); ++i)
    all_equal &= t.data[i] == static_cast<float>(many[i]);
  CHECK(all_equal);
}

TEST_CASE("npy defects give one-line errors naming the file and the problem", "[io]") {
  ScratchDir dir;
  const std::string path = dir.path("bad.npy");
  const std::string f4 = raw(std::vector<float>{1, 2, 3, 4});
  auto expect_error = [&](const std::string& bytes, const std::string& problem) {
    test::write_bytes(path, bytes);
    CAPTURE(problem);
    REQUIRE_THROWS_AS(io::read_npy(path), Error);
    try {
      io::read_npy(path);
    } catch (const Error& e) {
      const std::string msg = e.what();
      CHECK_THAT(msg, Contains(path));
      CHECK_THAT(msg, Contains(problem));
      CHECK(msg.find('\n') == std::string::npos);
    }
  };
  expect_error(npy_file(1, "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", f4),
               "fortran_order=True");
  expect_error(npy_file(1, "{'descr': '>f4', 'fortran_order': False, 'shape': (2, 2), }", f4),
               "big-endian");
  expect_error(npy_file(1, "{'descr': '<i4', 'fortran_order': False, 'shape': (2, 2), }", f4),
               "dtype '<i4' is not supported");
  expect_error(npy_file(1, "{'descr': '<f2', 'fortran_order': False, 'shape': (2, 2), }", f4),
               "dtype '<f2'");
  expect_error(
      npy_file(1, "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,), }", f4),
      "is not supported");
  expect_error(npy_file(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), }", f4),
               "truncated");
  expect_error(
      npy_file(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }", f4).substr(0, 40),
      "truncated .npy header");
  expect_error(npy_file(4, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }", f4),
               "version 4.0");
  expect_error(npy_file(1, "{'descr': '<f4', 'shape': (2, 2), }", f4), "no 'fortran_order' key");
  expect_error(npy_file(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, -2), }", f4),
               "malformed .npy header");
  expect_error(npy_file(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2)", f4),
               "malformed .npy header");
  expect_error("PK\x03\x04 this is a zip file", "not a .npy file");
  expect_error("\x93NUM", "not a .npy file");
  expect_error("", "not a .npy file");

  REQUIRE_THROWS_WITH(io::read_npy(dir.path("missing.npy")),
                      Contains("missing.npy") && Contains("No such file"));
}

TEST_CASE("npy writing is atomic: a failed write leaves nothing behind", "[io]") {
  ScratchDir dir;
  REQUIRE_THROWS_WITH(io::write_npy(dir.path("no/such/dir/out.npy"), ramp({4})),
                      Contains("out.npy") && Contains("does not exist"));
  CHECK(dir.entries().empty());

  // Replacing an existing file swaps the whole file in at once.
  const std::string path = dir.path("out.npy");
  io::write_npy(path, ramp({100}));
  io::write_npy(path, ramp({2, 2}));
  CHECK(io::read_npy(path).shape == Shape{2, 2});
  CHECK(dir.entries() == std::vector<std::string>{"out.npy"});
}
