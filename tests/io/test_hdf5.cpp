// The HDF5 wrappers: tensors of every rank through nested groups, float64
// input, attributes, recursive listing, appendable datasets, atomic file
// updates, and errors that name the file and the dataset path.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>

#include "core/error.hpp"
#include "io/hdf5.hpp"
#include "io/scratch.hpp"

using namespace interplay;
using namespace interplay::io;
using Catch::Matchers::Contains;
using interplay::test::ScratchDir;

namespace {

Tensor ramp(const Shape& shape, float step = 0.25f) {
  Tensor t(shape);
  for (std::size_t i = 0; i < t.size(); ++i) t.data[i] = step * static_cast<float>(i) - 2.0f;
  return t;
}

}  // namespace

TEST_CASE("hdf5 tensor round trip through nested groups, any rank", "[io]") {
  ScratchDir dir;
  const std::string path = dir.path("t.h5");
  const std::vector<Shape> shapes = {{}, {0}, {5}, {3, 4}, {2, 3, 4}, {1, 2, 1, 3, 2}};
  {
    auto f = h5::File::create(path);
    for (std::size_t k = 0; k < shapes.size(); ++k)
      h5::write_tensor(f, "/model/layer" + std::to_string(k) + "/weight", ramp(shapes[k]));
  }
  const auto f = h5::File::open(path);
  for (std::size_t k = 0; k < shapes.size(); ++k) {
    const std::string ds = "/model/layer" + std::to_string(k) + "/weight";
    CAPTURE(ds);
    const Tensor t = h5::read_tensor(f, ds);
    CHECK(t.shape == shapes[k]);
    CHECK(t.data == ramp(shapes[k]).data);
    CHECK(f.dataset(ds).dtype() == h5::DType::Float32);
  }
  // Relative paths resolve against the group they are given to.
  CHECK(h5::read_tensor(f.group("model"), "layer3/weight").shape == Shape{3, 4});
}

TEST_CASE("hdf5 float64 datasets read as float32 rounded to nearest", "[io]") {
  ScratchDir dir;
  const std::string path = dir.path("f8.h5");
  const std::vector<double> values = {0.1, 1.0 + std::ldexp(1.0, -30), 1e300, -2.5, 1.0 / 3.0, 7};
  {
    auto f = h5::File::create(path);
    f.create_dataset("a/b/c", h5::DType::Float64, {2, 3}).write(values.data());
  }
  const Tensor t = h5::read_tensor(h5::File::open(path), "/a/b/c");
  REQUIRE(t.shape == Shape{2, 3});
  for (std::size_t i = 0; i < values.size(); ++i) CHECK(t.data[i] == static_cast<float>(values[i]));
  CHECK(std::isinf(t.data[2]));
}

TEST_CASE("hdf5 rejects non-float datasets and missing objects by name", "[io]") {
  ScratchDir dir;
  const std::string path = dir.path("i.h5");
  {
    auto f = h5::File::create(path);
    const std::vector<std::int32_t> ints = {1, 2, 3};
    f.create_dataset("/ints", h5::DType::Int32, {3}).write(ints.data());
    f.require_group("/g");
  }
  const auto f = h5::File::open(path);
  REQUIRE_THROWS_WITH(h5::read_tensor(f, "/ints"),
                      Contains(path + ":/ints") && Contains("int32 is not supported"));
  REQUIRE_THROWS_WITH(h5::read_tensor(f, "/nope"), Contains(path + ":/nope: no such dataset"));
  REQUIRE_THROWS_WITH(h5::read_tensor(f, "/g/deeper/nope"), Contains("no such dataset"));
  REQUIRE_THROWS_WITH(h5::read_tensor(f, "/g"), Contains(path + ":/g: is not a dataset"));
  CHECK(f.dataset("/ints").read<std::int64_t>() == std::vector<std::int64_t>{1, 2, 3});
  CHECK(f.dataset("/ints").read<double>() == std::vector<double>{1, 2, 3});

  REQUIRE_THROWS_WITH(h5::File::open(dir.path("missing.h5")),
                      Contains("missing.h5") && Contains("No such file"));
  test::write_bytes(dir.path("text.h5"), "not hdf5 at all");
  REQUIRE_THROWS_WITH(h5::File::open(dir.path("text.h5")), Contains("text.h5: not an HDF5 file"));
  // A truncated HDF5 file fails to open with a message naming it.
  const std::string bytes = test::read_bytes(path);
  test::write_bytes(dir.path("cut.h5"), bytes.substr(0, bytes.size() / 2));
  REQUIRE_THROWS_WITH(h5::read_tensor(h5::File::open(dir.path("cut.h5")), "/ints"),
                      Contains("cut.h5"));
}

TEST_CASE("hdf5 errors from the library carry the path and HDF5's reason", "[io]") {
  ScratchDir dir;
  const std::string path = dir.path("e.h5");
  auto f = h5::File::create(path);
  h5::write_tensor(f, "/w", ramp({2}));
  // A dataset cannot hold children.
  REQUIRE_THROWS_WITH(f.create_dataset("/w/child", h5::DType::Float32, {1}),
                      Contains(path + ":/w/child"));
  REQUIRE_THROWS_WITH(f.create_dataset("/w", h5::DType::Float32, {1}),
                      Contains(path + ":/w: already exists"));
  REQUIRE_THROWS_WITH(f.require_group("/w"), Contains("exists and is not a group"));
  try {
    f.remove("/not/there");
    FAIL("remove of a missing path must throw");
  } catch (const Error& e) {
    const std::string msg = e.what();
    CHECK_THAT(msg, Contains(path + ":/not/there: cannot remove ("));
    CHECK(msg.find('\n') == std::string::npos);
  }
}

TEST_CASE("hdf5 attributes: strings, numbers, lists, replacement", "[io]") {
  ScratchDir dir;
  const std::string path = dir.path("a.h5");
  {
    auto f = h5::File::create(path);
    f.set_attribute("config", R"({"seed": 7})");
    f.set_attribute("seed", std::int64_t{1234567890123});
    f.set_attribute("version", 0.5);
    f.set_attribute("version", 2.0);  // replaces
    f.set_attribute("big", std::string(200000, 'x'));
    f.set_attribute("many", std::vector<double>(20000, 0.5));  // beyond the 64 KiB compact limit
    auto d = f.create_dataset("/x/y", h5::DType::Float32, {2});
    d.set_attribute("unit", "bits");
    d.set_attribute("levels", std::vector<double>{-1, 0, 1});
    d.set_attribute("half", 2.5);
  }
  const auto f = h5::File::open(path);
  CHECK(f.string_attribute("config") == R"({"seed": 7})");
  CHECK(f.integer_attribute("seed") == 1234567890123);
  CHECK(f.number_attribute("seed") == 1234567890123.0);
  CHECK(f.number_attribute("version") == 2.0);
  CHECK(f.string_attribute("big") == std::string(200000, 'x'));
  CHECK(f.numbers_attribute("many") == std::vector<double>(20000, 0.5));
  CHECK(f.attribute_names() ==
        std::vector<std::string>{"big", "config", "many", "seed", "version"});
  const auto d = f.dataset("/x/y");
  CHECK(d.string_attribute("unit") == "bits");
  CHECK(d.numbers_attribute("levels") == std::vector<double>{-1, 0, 1});
  CHECK(d.has_attribute("unit"));
  CHECK_FALSE(d.has_attribute("nope"));
  REQUIRE_THROWS_WITH(d.string_attribute("nope"), Contains(path + ":/x/y: no attribute 'nope'"));
  REQUIRE_THROWS_WITH(d.string_attribute("levels"), Contains("is not a string"));
  REQUIRE_THROWS_WITH(d.number_attribute("unit"), Contains("is not numeric"));
  REQUIRE_THROWS_WITH(d.number_attribute("levels"), Contains("holds 3 values"));
  REQUIRE_THROWS_WITH(d.integer_attribute("half"), Contains("'half' is not an integer"));
  CHECK(f.integer_attribute("version") == 2);
  REQUIRE_THROWS_WITH(f.integer_attribute("config"), Contains("is not numeric"));
}

TEST_CASE("hdf5 lists datasets recursively with shape and type", "[io]") {
  ScratchDir dir;
  const std::string path = dir.path("l.h5");
  {
    auto f = h5::File::create(path);
    h5::write_tensor(f, "/z", ramp({3}));
    h5::write_tensor(f, "/a/b/w", ramp({2, 2}));
    f.create_dataset("/a/names", h5::DType::String, {2}).write_strings({"x", "yy"});
    f.create_dataset("/a/s", h5::DType::Float64, {});
    f.require_group("/empty/group");
  }
  const auto f = h5::File::open(path);
  const auto all = f.list_datasets();
  REQUIRE(all.size() == 4);
  CHECK(h5::describe(all[0]) == "/a/b/w [2,2] float32");
  CHECK(h5::describe(all[1]) == "/a/names [2] string");
  CHECK(h5::describe(all[2]) == "/a/s [] float64");
  CHECK(h5::describe(all[3]) == "/z [3] float32");
  CHECK(f.group("/a/b").list_datasets().size() == 1);
  CHECK(f.dataset("/a/names").read_strings() == std::vector<std::string>{"x", "yy"});
  CHECK(f.type("/empty/group") == h5::ObjectType::Group);
  CHECK(f.type("/a/b/w") == h5::ObjectType::Dataset);
  CHECK(f.type("/a/b/w/under") == h5::ObjectType::None);
  CHECK(f.type("/missing/deep") == h5::ObjectType::None);
}

TEST_CASE("hdf5 extendible datasets grow row by row", "[io]") {
  ScratchDir dir;
  const std::string path = dir.path("rows.h5");
  {
    auto f = h5::File::create(path);
    h5::CreateOptions rows;
    rows.extendible = true;
    auto d = f.create_dataset("/points/metrics", h5::DType::Float64, {0, 2}, rows);
    const std::vector<double> first = {1, 2, 3, 4}, second = {5, 6};
    d.append(first.data(), 2);
    d.append(second.data(), 1);
    auto names = f.create_dataset("/points/label", h5::DType::String, {0}, rows);
    names.append_strings({"a"});
    names.append_strings({"bb", "ccc"});
    const auto fixed = f.create_dataset("/fixed", h5::DType::Float64, {2});
    REQUIRE_THROWS_WITH(fixed.append(first.data(), 1), Contains("not extendible"));
  }
  const auto f = h5::File::open(path);
  const auto d = f.dataset("/points/metrics");
  CHECK(d.shape() == Shape{3, 2});
  CHECK(d.read<double>() == std::vector<double>{1, 2, 3, 4, 5, 6});
  CHECK(f.dataset("/points/label").read_strings() == std::vector<std::string>{"a", "bb", "ccc"});
}

TEST_CASE("hdf5 write_tensor_file is atomic and keeps the rest of the file", "[io]") {
  ScratchDir dir;
  const std::string path = dir.path("w.h5");
  h5::write_tensor_file(path, "/first", ramp({4}));
  h5::write_tensor_file(path, "/group/second", ramp({2, 3}));
  h5::write_tensor_file(path, "/first", ramp({3, 3}));               // replaced, new shape
  h5::write_tensor_file(path, "/group/second", ramp({2, 3}, 0.5f));  // same shape, in place
  CHECK(dir.entries() == std::vector<std::string>{"w.h5"});
  {
    const auto f = h5::File::open(path);
    CHECK(h5::read_tensor(f, "/first").shape == Shape{3, 3});
    CHECK(h5::read_tensor(f, "/group/second").data == ramp({2, 3}, 0.5f).data);
  }
  // A failing write (the parent is a dataset) leaves the file byte-identical.
  const std::string before = test::read_bytes(path);
  REQUIRE_THROWS_WITH(h5::write_tensor_file(path, "/first/child", ramp({1})),
                      Contains(path + ":/first"));
  CHECK(test::read_bytes(path) == before);
  CHECK(dir.entries() == std::vector<std::string>{"w.h5"});

  test::write_bytes(dir.path("plain.h5"), "plain text");
  REQUIRE_THROWS_WITH(h5::write_tensor_file(dir.path("plain.h5"), "/x", ramp({1})),
                      Contains("plain.h5: exists and is not an HDF5 file"));
  CHECK(test::read_bytes(dir.path("plain.h5")) == "plain text");
}
