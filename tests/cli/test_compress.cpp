// `interplay compress` end to end, through the real executable: outputs match
// the in-process pipeline bit for bit, for .npy and .h5; every bad input
// fails with one line on stderr and leaves no output behind.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <random>

#include "cli/run_cli.hpp"
#include "core/pipeline.hpp"
#include "core/registry.hpp"
#include "io/hdf5.hpp"
#include "io/npy.hpp"
#include "io/tensor_file.hpp"

using namespace interplay;
using Catch::Matchers::Contains;
using interplay::test::run_cli;
using interplay::test::ScratchDir;

namespace {

const std::string kPipeline = R"({"steps":[{"quantizer":"int8"},{"quantizer":"mxfp4","axis":0}]})";

Tensor random_tensor(const Shape& shape, unsigned seed) {
  std::mt19937 gen(seed);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  Tensor t(shape);
  for (float& v : t.data) v = normal(gen);
  return t;
}

bool same_bits(const Tensor& a, const Tensor& b) {
  return a.shape == b.shape && a.data.size() == b.data.size() &&
         std::memcmp(a.data.data(), b.data.data(), a.data.size() * sizeof(float)) == 0;
}

// The failure contract: non-zero exit, exactly one line on stderr that
// mentions `names`, nothing on stdout.
void check_fails(const test::CliResult& r, const std::string& names) {
  CAPTURE(r.err);
  CHECK(r.status != 0);
  CHECK(r.out.empty());
  CHECK_THAT(r.err, Contains(names));
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
}

}  // namespace

TEST_CASE("compress .npy -> .npy equals the pipeline applied in-process", "[cli]") {
  ScratchDir dir;
  const Tensor x = random_tensor({16, 64}, 1);
  io::write_npy(dir.path("in.npy"), x);
  const auto r = run_cli({"compress", "--pipeline", kPipeline, "--input", dir.path("in.npy"),
                          "--output", dir.path("out.npy")});
  CAPTURE(r.err);
  REQUIRE(r.status == 0);
  const std::string bytes = test::read_bytes(dir.path("out.npy"));
  const io::NpyHeader h = io::parse_npy_header(bytes, "out.npy");
  CHECK(h.descr == "<f4");
  CHECK_FALSE(h.fortran_order);
  const Tensor y = io::read_npy(dir.path("out.npy"));
  CHECK(same_bits(y, Pipeline::from_text(kPipeline).apply(x)));
  // One table row per step, naming each step and its resolved parameters.
  CHECK_THAT(r.out, Contains("int8") && Contains("mxfp4") && Contains("element=fp4_e2m1"));
  CHECK(dir.entries() == std::vector<std::string>{"in.npy", "out.npy"});
}

TEST_CASE("compress reads float64 .h5 of rank 3 and writes a float32 dataset", "[cli]") {
  ScratchDir dir;
  const std::string h5 = dir.path("model.h5");
  const Tensor x32 = random_tensor({4, 8, 32}, 2);
  std::vector<double> x64(x32.data.begin(), x32.data.end());
  for (double& v : x64) v += 1e-9;  // not representable in float32: exercises the rounding
  {
    auto f = io::h5::File::create(h5);
    f.create_dataset("/enc/layer0/w", io::h5::DType::Float64, x32.shape).write(x64.data());
  }
  const auto r = run_cli({"compress", "--pipeline", "mxfp6_e3m2", "--input", h5 + ":/enc/layer0/w",
                          "--output", h5 + ":/compressed/w"});
  CAPTURE(r.err);
  REQUIRE(r.status == 0);
  const auto f = io::h5::File::open(h5);
  CHECK(f.dataset("/compressed/w").dtype() == io::h5::DType::Float32);
  CHECK(f.dataset("/enc/layer0/w").dtype() == io::h5::DType::Float64);  // input untouched
  const Tensor x = io::h5::read_tensor(f, "/enc/layer0/w");
  const Tensor y = io::h5::read_tensor(f, "/compressed/w");
  CHECK(y.shape == x32.shape);
  CHECK(same_bits(y, Pipeline::from_text("mxfp6_e3m2").apply(x)));

  // .npy input into a new .h5 file works as well.
  io::write_npy(dir.path("in.npy"), x32);
  const auto r2 = run_cli({"compress", "--pipeline", "int4", "--input", dir.path("in.npy"),
                           "--output", dir.path("new.h5") + ":/w"});
  REQUIRE(r2.status == 0);
  CHECK(same_bits(io::read_tensor(dir.path("new.h5") + ":/w"),
                  Pipeline::from_text("int4").apply(x32)));
}

TEST_CASE("compress --json reports every step with its parameters and errors", "[cli]") {
  ScratchDir dir;
  const Tensor x = random_tensor({8, 64}, 3);
  io::write_npy(dir.path("in.npy"), x);
  std::vector<std::string> names;  // whatever metrics are registered
  for (const auto& [name, info] : metrics().plugins()) names.push_back(name);
  std::vector<std::string> args = {"compress",         "--pipeline", kPipeline,           "--input",
                                   dir.path("in.npy"), "--output",   dir.path("out.npy"), "--json"};
  std::string list;
  for (const auto& n : names) list += (list.empty() ? "" : ",") + n;
  if (!list.empty()) args.insert(args.end(), {"--metrics", list});
  const auto r = run_cli(args);
  CAPTURE(r.err);
  REQUIRE(r.status == 0);
  const json report = json::parse(r.out);
  CHECK(report.at("shape") == json({8, 64}));
  REQUIRE(report.at("steps").size() == 2);
  CHECK(report["steps"][0]["name"] == "int8");
  CHECK(report["steps"][0]["kind"] == "quantizer");
  CHECK(report["steps"][1]["params"]["axis"] == 0);
  CHECK(report["steps"][1]["plugin"] == "mx");
  // One value per metric column for every step.
  const auto columns = report.at("metrics");
  for (const auto& step : report["steps"]) CHECK(step.at("errors").size() == columns.size());
}

TEST_CASE("compress reports, per prefix, the registered metrics evaluated in-process", "[cli]") {
  ScratchDir dir;
  const Tensor x = random_tensor({8, 64}, 6);
  io::write_npy(dir.path("in.npy"), x);
  std::string list;
  for (const auto& [name, info] : metrics().plugins())
    if (info.params.empty()) list += (list.empty() ? "" : ",") + name;
  if (list.empty()) return;  // no metrics registered yet
  const auto r = run_cli({"compress", "--pipeline", kPipeline, "--input", dir.path("in.npy"),
                          "--output", dir.path("out.npy"), "--json", "--metrics", list});
  CAPTURE(r.err);
  REQUIRE(r.status == 0);
  const json report = json::parse(r.out);
  const MetricSet set = MetricSet::from_names(list);
  const auto prefixes = Pipeline::from_text(kPipeline).run_prefixes(x);
  for (std::size_t k = 0; k < prefixes.size(); ++k) {
    const std::vector<double> expected = set.evaluate(x, prefixes[k]);
    for (std::size_t c = 0; c < expected.size(); ++c) {
      const json& got = report["steps"][k]["errors"][set.columns()[c]];
      CAPTURE(k, set.columns()[c]);
      if (std::isfinite(expected[c]))
        CHECK(got.get<double>() == expected[c]);  // JSON keeps doubles exactly
      else
        CHECK(got.is_null());
    }
  }
  if (metrics().contains("l1")) {  // and one by hand: sum |y - x| after both steps
    double l1 = 0;
    for (std::size_t i = 0; i < x.size(); ++i)
      l1 += std::fabs(static_cast<double>(prefixes[1].data[i]) - x.data[i]);
    CHECK(report["steps"][1]["errors"]["l1"].get<double>() == Approx(l1).epsilon(1e-12));
  }
}

TEST_CASE("compress prints the default metrics that are registered", "[cli]") {
  ScratchDir dir;
  io::write_npy(dir.path("in.npy"), random_tensor({4, 32}, 4));
  const auto r = run_cli({"compress", "--pipeline", "int8", "--input", dir.path("in.npy"),
                          "--output", dir.path("out.npy"), "--json"});
  REQUIRE(r.status == 0);
  const json report = json::parse(r.out);
  for (const char* m : {"l1", "l2sq", "rel_l2", "sqnr_db", "max_abs", "nonzero_fraction"})
    if (metrics().contains(m)) CHECK(report["steps"][0]["errors"].contains(m));
}

TEST_CASE("compress bad input: one-line error, non-zero exit, no output written", "[cli]") {
  ScratchDir dir;
  const Tensor x = random_tensor({4, 32}, 5);
  io::write_npy(dir.path("in.npy"), x);
  io::h5::write_tensor_file(dir.path("in.h5"), "/w", x);
  const std::string in = dir.path("in.npy"), out = dir.path("out.npy");
  auto compress = [&](const std::string& pipeline, const std::string& input,
                      const std::string& output) {
    return run_cli({"compress", "--pipeline", pipeline, "--input", input, "--output", output});
  };

  check_fails(compress(R"({"steps":[{"quantizer":"nonexistent"}]})", in, out), "nonexistent");
  check_fails(compress(R"({"steps":[{"quantizer":"int","bits":99}]})", in, out), "bits");
  check_fails(compress(R"({"steps":[{"quantizer":"int8"})", in, out), "invalid JSON");
  check_fails(compress("no_such_preset", in, out), "no_such_preset");
  check_fails(compress("int8", dir.path("missing.npy"), out), "missing.npy");
  check_fails(compress("int8", dir.path("in.h5") + ":/nope", out), "/nope");
  check_fails(compress("int8", dir.path("in.h5"), out), "/w [4,32] float32");
  check_fails(compress("int8", in, dir.path("out.txt")), "out.txt");
  check_fails(compress("int8", in, dir.path("no_dir/out.npy")), "no_dir");
  check_fails(run_cli({"compress", "--pipeline", "int8", "--input", in, "--output", out,
                       "--metrics", "bogus_metric"}),
              "bogus_metric");
  check_fails(run_cli({"compress", "--pipeline", "int8", "--input", in}), "output");
  CHECK(dir.entries() == std::vector<std::string>{"in.h5", "in.npy"});

  // An existing output is left byte-identical when the run fails.
  io::write_npy(out, Tensor({1}, {42.0f}));
  const std::string h5_before = test::read_bytes(dir.path("in.h5"));
  const std::string npy_before = test::read_bytes(out);
  check_fails(compress("nonexistent", in, out), "nonexistent");
  check_fails(compress("nonexistent", in, dir.path("in.h5") + ":/w2"), "nonexistent");
  check_fails(compress("int8", in, dir.path("in.h5") + ":/w/under"), "/w");
  check_fails(compress("int8", dir.path("in.h5") + ":/nope", dir.path("in.h5") + ":/w2"), "/nope");
  CHECK(test::read_bytes(out) == npy_before);
  CHECK(test::read_bytes(dir.path("in.h5")) == h5_before);
  CHECK(dir.entries() == std::vector<std::string>{"in.h5", "in.npy", "out.npy"});
}
