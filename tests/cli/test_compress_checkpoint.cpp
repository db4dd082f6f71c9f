// `interplay compress --tensors`: a whole safetensors checkpoint (single or
// sharded) in, a complete checkpoint out; compressed tensors equal the
// in-process pipeline, keep their dtype when exact, everything else is copied
// byte for byte; the report and the metadata carry the provenance.
#include <catch2/catch.hpp>
#include <algorithm>
#include <cstring>
#include <random>

#include "cli/run_cli.hpp"
#include "core/pipeline.hpp"
#include "io/checkpoint.hpp"
#include "io/hdf5.hpp"
#include "io/safetensors_dtype.hpp"
#include "io/safetensors_writer.hpp"

using namespace interplay;
using namespace interplay::io;
using Catch::Matchers::Contains;
using interplay::test::run_cli;
using interplay::test::ScratchDir;

namespace {

Tensor random_tensor(const Shape& shape, unsigned seed, float scale = 1.0f) {
  std::mt19937 gen(seed);
  std::normal_distribution<float> normal(0.0f, scale);
  Tensor t(shape);
  for (float& v : t.data) v = normal(gen);
  return t;
}

// Rounds every value to one representable in `dtype` (so the input is exact).
Tensor representable(Tensor t, const std::string& dtype) {
  for (float& v : t.data) {
    std::uint32_t u;
    std::memcpy(&u, &v, 4);
    u &= dtype == "BF16" ? 0xffff0000u : 0xffffe000u;  // F16: keep 10 mantissa bits
    std::memcpy(&v, &u, 4);
  }
  return t;
}

std::string raw(const SafetensorsFile& f, const std::string& name) {
  const auto* e = f.find(name);
  return std::string(reinterpret_cast<const char*>(f.bytes(*e)), e->end - e->begin);
}

}  // namespace

TEST_CASE("compress --tensors: every float dtype round-trips through a checkpoint", "[cli][safetensors]") {
  ScratchDir dir;
  const std::string in = dir.path("m.safetensors"), out = dir.path("o.safetensors");
  const std::string pipeline = R"([{"sparsifier":"nm","n":2,"m":4},{"quantizer":"mxfp4"}])";
  std::vector<NamedTensor> tensors;
  for (const std::string dt : {"F32", "F16", "BF16", "F64"})
    tensors.push_back({"model.layers.0." + dt + ".weight", representable(random_tensor({8, 64}, 1), dt), dt});
  tensors.push_back({"model.norm.weight", random_tensor({64}, 2), "F32"});
  write_safetensors(in, tensors, {{"format", "pt"}});

  const auto r = run_cli({"compress", "--input", in, "--tensors", "model.layers.*.weight",
                          "--pipeline", pipeline, "--output", out, "--report", dir.path("r.h5")});
  REQUIRE(r.status == 0);
  CHECK_THAT(r.out, Contains("4 of 5 tensors compressed"));
  const SafetensorsFile src = SafetensorsFile::open(in), dst = SafetensorsFile::open(out);
  const Pipeline p = Pipeline::from_text(pipeline);
  for (const auto& t : tensors) {
    CAPTURE(t.name);
    const auto* e = dst.find(t.name);
    REQUIRE(e);
    if (t.name == "model.norm.weight") {
      CHECK(raw(dst, t.name) == raw(src, t.name));  // not matched: copied byte for byte
      continue;
    }
    CHECK(e->dtype == t.dtype);  // MXFP4 values are exact in every float dtype here
    CHECK(dst.read(*e).data == p.apply(src.read(t.name)).data);
  }
  // Provenance in the metadata, the input's metadata kept.
  CHECK(dst.metadata().at("format") == "pt");
  CHECK_THAT(dst.metadata().at("interplay.pipeline"), Contains("\"quantizer\":\"mx\""));
  CHECK(dst.metadata().count("interplay.version"));
  CHECK(dst.metadata().at("interplay.tensors") == "model.layers.*.weight");
  // The report: one row per compressed tensor.
  const auto f = h5::File::open(dir.path("r.h5"));
  CHECK(f.string_attribute("tool") == "interplay compress");
  const auto names = f.dataset("/points/tensor").read_strings();
  CHECK(names.size() == 4);
  CHECK(f.dataset("/points/bits_per_element").read<double>() == std::vector<double>(4, 4.25));
  CHECK(f.dataset("/points/shape").read_strings()[0] == "[8,64]");
}

TEST_CASE("compress --tensors: inexact values widen to F32 with a note; sharded input", "[cli][safetensors]") {
  ScratchDir dir;
  write_safetensors(dir.path("s1.safetensors"),
                    {{"a.weight", representable(random_tensor({4, 32}, 3), "F16"), "F16"}});
  write_safetensors(dir.path("s2.safetensors"), {{"b.weight", random_tensor({4, 32}, 4), "F32"}});
  test::write_bytes(dir.path("model.safetensors.index.json"),
                    R"({"weight_map": {"a.weight": "s1.safetensors", "b.weight": "s2.safetensors"}})");
  const std::string out = dir.path("o.safetensors");
  const auto r = run_cli({"compress", "--input", dir.path("model.safetensors.index.json"),
                          "--tensors", "a.*", "--pipeline", "int8", "--output", out, "--quiet"});
  REQUIRE(r.status == 0);
  CHECK_THAT(r.out, Contains("written as F32") && Contains("a.weight"));
  CHECK(r.err.empty());  // --quiet: no progress
  const SafetensorsFile dst = SafetensorsFile::open(out);
  CHECK(dst.find("a.weight")->dtype == "F32");  // amax/127 steps are not F16 values
  CHECK(dst.metadata().at("interplay.float32_tensors") == R"(["a.weight"])");
  CHECK(raw(dst, "b.weight") == raw(SafetensorsFile::open(dir.path("s2.safetensors")), "b.weight"));
}

TEST_CASE("compress --tensors: bad requests fail before writing anything", "[cli][safetensors]") {
  ScratchDir dir;
  const std::string in = dir.path("m.safetensors");
  write_safetensors(in, {{"w", random_tensor({4, 8}, 5)}});
  auto fails = [&](const std::vector<std::string>& args, const std::string& message) {
    const auto r = run_cli(args);
    CHECK(r.status != 0);
    CHECK_THAT(r.err, Contains(message));
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  };
  const std::string out = dir.path("o.safetensors");
  fails({"compress", "--input", in, "--tensors", "x*", "--pipeline", "int8", "--output", out},
        "no float tensor of " + in + " matches; tensors in the checkpoint: w [4,8] F32");
  fails({"compress", "--input", in + ":w", "--tensors", "*", "--pipeline", "int8", "--output", out},
        "needs a safetensors checkpoint");
  fails({"compress", "--input", in, "--tensors", "*", "--pipeline", "int8", "--output",
         dir.path("o.npy")},
        "a checkpoint is written as one .safetensors file");
  fails({"compress", "--input", in, "--tensors", "*", "--pipeline", "int8", "--output", out,
         "--report", dir.path("r.txt")},
        "unknown report type '.txt'");
  fails({"compress", "--input", in, "--tensors", "*", "--pipeline", "mxfp5", "--output", out},
        "mxfp4");
  fails({"compress", "--input", in, "--output", out + ":w", "--pipeline", "int8", "--quiet"},
        "--report and --quiet go with --tensors");
  CHECK(dir.entries() == std::vector<std::string>{"m.safetensors"});
}

TEST_CASE("compress: single-tensor outputs carry their provenance", "[cli][safetensors]") {
  ScratchDir dir;
  const std::string in = dir.path("m.safetensors");
  write_safetensors(in, {{"enc.w", random_tensor({4, 32}, 6)}});
  const auto r = run_cli({"compress", "--input", in + ":enc.w", "--output",
                          dir.path("o.h5") + ":/q/w", "--pipeline", "mxfp4"});
  REQUIRE(r.status == 0);
  const auto d = h5::File::open(dir.path("o.h5")).dataset("/q/w");
  CHECK(d.string_attribute("input") == in + ":enc.w");
  CHECK_THAT(d.string_attribute("pipeline"), Contains("fp4_e2m1"));
  CHECK(d.string_attribute("tool") == "interplay compress");
  const auto s = run_cli({"compress", "--input", in + ":enc.w", "--output",
                          dir.path("o.safetensors") + ":enc.w", "--pipeline", "int4"});
  REQUIRE(s.status == 0);
  const auto f = SafetensorsFile::open(dir.path("o.safetensors"));
  CHECK_THAT(f.metadata().at("interplay.provenance.enc.w"), Contains("\"input\":\"" + in + ":enc.w\""));
}
