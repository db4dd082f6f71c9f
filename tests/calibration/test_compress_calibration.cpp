// `interplay compress --calibration / --hessian` end to end.
#include <catch2/catch.hpp>
#include <cstring>

#include "calibration/helpers.hpp"
#include "cli/run_cli.hpp"
#include "io/hdf5.hpp"
#include "io/npy.hpp"
#include "io/tensor_file.hpp"

using namespace interplay;
using namespace interplay::test;
using Catch::Matchers::Contains;

namespace {

void check_fails(const CliResult& r, const std::string& names) {
  CAPTURE(r.err);
  CHECK(r.status != 0);
  CHECK_THAT(r.err, Contains(names));
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
}

}  // namespace

TEST_CASE("compress --calibration (.npy) and --hessian (.h5) run calibrated pipelines",
          "[calibration][cli]") {
  ScratchDir dir;
  const Tensor w = normal_tensor({8, 32}, 1);
  const Tensor x = correlated_inputs(100, 32, 2);
  io::write_npy(dir.path("w.npy"), w);
  io::write_npy(dir.path("x.npy"), x);
  const Calibration c = Calibration::from_inputs(x);
  io::write_tensor(dir.path("h.h5") + ":/layer/H", c.hessian());
  const std::string pipeline =
      R"({"steps":[{"sparsifier":"sparsegpt","n":2,"m":4},{"quantizer":"int4","solver":"gptq"}]})";
  const Tensor expected = run(pipeline, w, &c);
  for (const auto& [flag, spec] : std::vector<std::pair<std::string, std::string>>{
           {"--calibration", dir.path("x.npy")}, {"--hessian", dir.path("h.h5") + ":/layer/H"}}) {
    const auto r = run_cli({"compress", "--pipeline", pipeline, "--input", dir.path("w.npy"),
                            "--output", dir.path("q.npy"), flag, spec});
    CAPTURE(flag, r.err);
    REQUIRE(r.status == 0);
    const Tensor q = io::read_tensor(dir.path("q.npy"));
    CHECK(std::memcmp(q.data.data(), expected.data.data(), w.size() * 4) == 0);
  }
}

TEST_CASE("compress calibration errors are one line naming the file and shapes",
          "[calibration][cli]") {
  ScratchDir dir;
  io::write_npy(dir.path("w.npy"), normal_tensor({8, 32}, 1));
  io::write_npy(dir.path("x.npy"), normal_tensor({10, 16}, 2));
  Tensor bad = normal_tensor({10, 32}, 3);
  bad.data[5] = std::numeric_limits<float>::quiet_NaN();
  io::write_npy(dir.path("nan.npy"), bad);
  const std::vector<std::string> base{
      "compress",       "--pipeline",      R"({"quantizer":"int4","solver":"gptq"})",
      "--input",        dir.path("w.npy"), "--output",
      dir.path("q.npy")};
  auto with = [&](std::vector<std::string> extra) {
    std::vector<std::string> a = base;
    a.insert(a.end(), extra.begin(), extra.end());
    return run_cli(a);
  };
  const auto shape = with({"--calibration", dir.path("x.npy")});
  check_fails(shape, "[10,16]");
  CHECK_THAT(shape.err, Contains("[8,32]"));
  check_fails(with({"--calibration", dir.path("nan.npy")}), "NaN");
  check_fails(with({}), "needs calibration");
  check_fails(with({"--hessian", dir.path("x.npy")}), "square");
}
