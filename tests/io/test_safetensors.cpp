// safetensors: round trips of every float dtype, the exact-representability
// rule for keeping a dtype, sharded checkpoints, FILE.safetensors:NAME specs,
// and the one-line errors for malformed files (the fuzz seed corpus).
#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>

#include "core/error.hpp"
#include "io/checkpoint.hpp"
#include "io/safetensors.hpp"
#include "io/safetensors_dtype.hpp"
#include "io/safetensors_writer.hpp"
#include "io/scratch.hpp"
#include "io/tensor_file.hpp"

using namespace interplay;
using namespace interplay::io;
using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;
using interplay::test::ScratchDir;

namespace {

// A file from a header text and data bytes, as another writer might lay it out.
std::string image(const std::string& header, const std::string& data = "") {
  std::string s(8, '\0');
  for (int i = 0; i < 8; ++i) s[std::size_t(i)] = char((header.size() >> (8 * i)) & 0xff);
  return s + header + data;
}

std::string bytes_of(const std::vector<std::uint16_t>& v) {
  return std::string(reinterpret_cast<const char*>(v.data()), v.size() * 2);
}

bool same_bits(float a, float b) {
  return std::memcmp(&a, &b, 4) == 0 || (std::isnan(a) && std::isnan(b));
}

}  // namespace

TEST_CASE("safetensors: every float dtype round-trips and keeps its dtype when exact", "[io][safetensors]") {
  ScratchDir dir;
  const float inf = std::numeric_limits<float>::infinity();
  // Exactly representable in F16 and BF16: small integers, halves, +-0, +-Inf,
  // a half subnormal (2^-24) and NaN.
  const Tensor exact({2, 4}, {1.0f, -2.5f, 0.0f, -0.0f, inf, -inf, std::ldexp(1.0f, -24),
                              std::numeric_limits<float>::quiet_NaN()});
  for (const std::string dt : {"F32", "F16", "BF16", "F64"}) {
    CAPTURE(dt);
    write_safetensors(dir.path("a.safetensors"), {{"w", exact, dt}});
    const SafetensorsFile f = SafetensorsFile::open(dir.path("a.safetensors"));
    REQUIRE(f.entries().size() == 1);
    CHECK(f.entries()[0].dtype == dt);
    const Tensor back = f.read("w");
    CHECK(back.shape == exact.shape);
    for (std::size_t i = 0; i < exact.size(); ++i) CHECK(same_bits(back.data[i], exact.data[i]));
  }
  // 1 + 2^-12 needs 12 mantissa bits: not F16 (10) nor BF16 (7) -> float32.
  const Tensor fine({1}, {1.0f + std::ldexp(1.0f, -12)});
  write_safetensors(dir.path("b.safetensors"), {{"w", fine, "F16"}, {"v", fine, "BF16"}});
  const SafetensorsFile f = SafetensorsFile::open(dir.path("b.safetensors"));
  CHECK(f.find("w")->dtype == "F32");
  CHECK(f.find("v")->dtype == "F32");
  CHECK(f.read("w").data == fine.data);
  CHECK(dir.entries() == std::vector<std::string>{"a.safetensors", "b.safetensors"});
}

TEST_CASE("safetensors: F16 and BF16 decode to the hand-computed values", "[io][safetensors]") {
  // F16: 1.0, -2.0, 65504 (max), 2^-24 (smallest subnormal), 2^-14 (smallest normal), -0
  const std::vector<std::uint16_t> h{0x3c00, 0xc000, 0x7bff, 0x0001, 0x0400, 0x8000};
  // BF16: 1.0, -3.0, 2^-133 (subnormal), +Inf
  const std::vector<std::uint16_t> b{0x3f80, 0xc040, 0x0001, 0x7f80};
  const std::string hdr =
      R"({"h":{"dtype":"F16","shape":[6],"data_offsets":[0,12]},)"
      R"("b":{"dtype":"BF16","shape":[2,2],"data_offsets":[12,20]}})";
  const std::string img = image(hdr, bytes_of(h) + bytes_of(b));
  const auto f = SafetensorsFile::parse(reinterpret_cast<const std::uint8_t*>(img.data()),
                                        img.size(), "mem");
  const Tensor th = f.read("h"), tb = f.read("b");
  CHECK(th.data == std::vector<float>{1.0f, -2.0f, 65504.0f, std::ldexp(1.0f, -24),
                                      std::ldexp(1.0f, -14), -0.0f});
  CHECK(std::signbit(th.data[5]));
  CHECK(tb.shape == Shape{2, 2});
  CHECK(tb.data == std::vector<float>{1.0f, -3.0f, std::ldexp(1.0f, -133),
                                      std::numeric_limits<float>::infinity()});
  // Exact encoding back, including a half subnormal.
  std::vector<std::uint8_t> out;
  REQUIRE(st::encode_exact("F16", th.data.data(), th.size(), out));
  CHECK(std::string(out.begin(), out.end()) == bytes_of(h));
  const float not_half = std::ldexp(1.0f, -25);  // below half's smallest subnormal
  CHECK_FALSE(st::encode_exact("F16", &not_half, 1, out));
  const float too_big = 65536.0f;
  CHECK_FALSE(st::encode_exact("F16", &too_big, 1, out));
}

TEST_CASE("safetensors: FILE.safetensors:NAME specs with dots, slashes and colons", "[io][safetensors]") {
  ScratchDir dir;
  const std::string file = dir.path("m.safetensors");
  const Tensor a({2, 2}, {1, 2, 3, 4}), b({3}, {5, 6, 7});
  write_tensor(file + ":model.layers.0.mlp.up_proj.weight", a);
  write_tensor(file + ":enc/block:1/w", b);  // the name is everything after the first ':'
  const TensorSpec s = parse_tensor_spec(file + ":enc/block:1/w");
  CHECK(s.format == TensorFormat::Safetensors);
  CHECK(s.dataset == "enc/block:1/w");
  CHECK(read_tensor(file + ":model.layers.0.mlp.up_proj.weight").data == a.data);
  CHECK(read_tensor(file + ":enc/block:1/w").data == b.data);

  // Replacing one tensor keeps the others byte for byte.
  const auto before = SafetensorsFile::open(file);
  const auto* e = before.find("enc/block:1/w");
  const std::string kept(reinterpret_cast<const char*>(before.bytes(*e)), e->end - e->begin);
  write_tensor(file + ":model.layers.0.mlp.up_proj.weight", Tensor({1}, {9}));
  const auto after = SafetensorsFile::open(file);
  const auto* e2 = after.find("enc/block:1/w");
  CHECK(std::string(reinterpret_cast<const char*>(after.bytes(*e2)), e2->end - e2->begin) == kept);
  CHECK(after.read("model.layers.0.mlp.up_proj.weight").data == std::vector<float>{9});

  REQUIRE_THROWS_WITH(read_tensor(file), Contains("name the tensor to read as " + file + ":NAME") &&
                                             Contains("enc/block:1/w [3] F32"));
  REQUIRE_THROWS_WITH(read_tensor(file + ":nope"),
                      StartsWith(file + ":nope: no such tensor") && Contains("model.layers.0"));
  REQUIRE_THROWS_WITH(check_writable(parse_tensor_spec(file)), Contains("name the tensor to write"));
  test::write_bytes(dir.path("junk.safetensors"), "junk");
  REQUIRE_THROWS_WITH(write_tensor(dir.path("junk.safetensors") + ":w", a),
                      StartsWith(dir.path("junk.safetensors") + ": not a safetensors file"));
  CHECK(test::read_bytes(dir.path("junk.safetensors")) == "junk");
  CHECK(dir.entries() == std::vector<std::string>{"junk.safetensors", "m.safetensors"});
}

TEST_CASE("safetensors: sharded checkpoints through model.safetensors.index.json", "[io][safetensors]") {
  ScratchDir dir;
  write_safetensors(dir.path("model-00001-of-00002.safetensors"),
                    {{"model.embed.weight", Tensor({2, 2}, {1, 2, 3, 4})}});
  write_safetensors(dir.path("model-00002-of-00002.safetensors"),
                    {{"model.layers.0.w", Tensor({2}, {5, 6})}, {"lm_head.weight", Tensor({1}, {7})}});
  const std::string index = dir.path("model.safetensors.index.json");
  test::write_bytes(index, R"({"metadata": {"total_size": 28}, "weight_map": {
      "model.embed.weight": "model-00001-of-00002.safetensors",
      "model.layers.0.w": "model-00002-of-00002.safetensors",
      "lm_head.weight": "model-00002-of-00002.safetensors"}})");
  const Checkpoint c = Checkpoint::open(index);
  REQUIRE(c.tensors().size() == 3);
  CHECK(c.tensors()[0].entry->name == "lm_head.weight");  // sorted by name
  CHECK(c.shards().size() == 2);
  CHECK(read_tensor(index + ":model.layers.0.w").data == std::vector<float>{5, 6});
  CHECK(read_tensor(index + ":model.embed.weight").shape == Shape{2, 2});
  REQUIRE_THROWS_WITH(check_writable(parse_tensor_spec(index + ":x")),
                      Contains("cannot write into a sharded checkpoint's index"));

  test::write_bytes(index, R"({"weight_map": {"a": "../elsewhere.safetensors"}})");
  REQUIRE_THROWS_WITH(Checkpoint::open(index), StartsWith(index + ": weight_map.a: shard") &&
                                                   Contains("relative to the index's directory"));
  test::write_bytes(index, R"({"weight_map": {"nope": "model-00001-of-00002.safetensors"}})");
  REQUIRE_THROWS_WITH(Checkpoint::open(index), Contains("weight_map names 'nope'"));
  test::write_bytes(index, R"({"weight_map": [}")");
  REQUIRE_THROWS_WITH(Checkpoint::open(index), StartsWith(index + ": invalid JSON"));
}

TEST_CASE("safetensors: malformed files are one-line errors naming the file", "[io][safetensors]") {
  struct Case {
    std::string header, data, message;
  };
  const std::vector<Case> cases{
      {R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})", "", "lie beyond the data section"},
      {R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}})", "1234", "holds 4 bytes but shape [2] of F32 needs 8"},
      {R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})", "1234", "overlap"},
      {R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})", "12345678", "bytes 0..4 of the data section belong to no tensor"},
      {R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})", "12345678", "4 bytes after the last tensor"},
      {R"({"a":{"dtype":"Q4","shape":[1],"data_offsets":[0,1]}})", "1", "unknown dtype 'Q4' (known: F64, F32"},
      {R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})", "1234", "duplicate tensor name 'a'"},
      {R"({"a":{"dtype":"F32","shape":[4294967296,4294967296,4294967296],"data_offsets":[0,0]}})", "", "overflows the element count"},
      {R"({"a":{"dtype":"F64","shape":[2305843009213693952,4],"data_offsets":[0,0]}})", "", "overflows the byte size"},
      {R"({"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}})", "1234", "shape[0] must be a non-negative integer"},
      {R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[4,0]}})", "1234", "end before they begin"},
      {R"({"a":{"dtype":"F32","shape":[1]}})", "", "needs dtype, shape and data_offsets"},
      {R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4],"x":1}})", "1234", "unknown key 'x'"},
      {R"({"a":[[[[[[1]]]]]]})", "", "nests deeper"},
      {R"({"a":{"dtype":"F32",)", "", "invalid JSON header"},
      {R"([1,2])", "", "header is not a JSON object"},
      {R"({"__metadata__":{"k":1}})", "", "__metadata__.k must be a string"},
      {R"({"":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})", "1234", "empty name"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.header);
    const std::string img = image(c.header, c.data);
    try {
      SafetensorsFile::parse(reinterpret_cast<const std::uint8_t*>(img.data()), img.size(), "f.st");
      FAIL("no error");
    } catch (const Error& e) {
      const std::string msg = e.what();
      CHECK_THAT(msg, StartsWith("f.st: ") && Contains(c.message));
      CHECK(msg.find('\n') == std::string::npos);
    }
  }
  const std::string shortfile = "\x10\0\0";
  REQUIRE_THROWS_WITH(
      SafetensorsFile::parse(reinterpret_cast<const std::uint8_t*>(shortfile.data()), 3, "f.st"),
      Contains("shorter than the 8-byte header length"));
  const std::string huge = image("{}").replace(5, 1, "\x01");  // length 2^40 + 2
  REQUIRE_THROWS_WITH(
      SafetensorsFile::parse(reinterpret_cast<const std::uint8_t*>(huge.data()), huge.size(), "f.st"),
      Contains("exceeds the file size"));
}

TEST_CASE("safetensors: the fuzz seed corpus parses or fails with an Error", "[io][safetensors]") {
  const std::filesystem::path corpus =
      std::filesystem::path(INTERPLAY_SOURCE_DIR) / "tests/fuzz/corpus/safetensors";
  int valid = 0, invalid = 0;
  for (const auto& entry : std::filesystem::directory_iterator(corpus)) {
    const std::string path = entry.path().string(), name = entry.path().filename().string();
    CAPTURE(name);
    try {
      const SafetensorsFile f = SafetensorsFile::open(path);
      for (const auto& e : f.entries())
        if (st::is_float_dtype(e.dtype)) f.read(e);
      ++valid;
      CHECK(name.rfind("bad_", 0) != 0);
    } catch (const Error& e) {
      ++invalid;
      CHECK(name.rfind("valid_", 0) != 0);
      CHECK_THAT(e.what(), StartsWith(path + ": "));
    }
  }
  CHECK(valid >= 4);
  CHECK(invalid >= 10);
}
