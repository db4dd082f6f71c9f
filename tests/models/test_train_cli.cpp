// `interplay train`: a tiny end-to-end run, and bad input failing fast with
// one line on stderr and no output file.
#include <catch2/catch.hpp>

#include "cli/run_cli.hpp"
#include "core/params.hpp"
#include "io/hdf5.hpp"
#include "models/dataset.hpp"

using namespace interplay;
using interplay::test::run_cli;
using interplay::test::ScratchDir;

TEST_CASE("train cli: a tiny model end to end", "[models][cli]") {
  ScratchDir dir;
  const std::string out = dir.path("sub/m.h5");  // the directory is created
  const auto r =
      run_cli({"train", "--model", "mlp", "--arch", R"({"hidden": [8]})", "--epochs", "1",
               "--train-limit", "500", "--test-limit", "100", "--seed", "3", "-o", out});
  INFO(r.err);
  REQUIRE(r.status == 0);
  CHECK_THAT(r.out, Catch::Contains("test accuracy"));
  CHECK_THAT(r.err, Catch::Contains("epoch 1/1"));
  const auto f = io::h5::File::open(out);
  const json training = json::parse(f.string_attribute("training"));
  CHECK(training["seed"] == 3);
  CHECK(training["train_images"] == 500);
  CHECK(training["test_images"] == 100);
  CHECK(f.dataset("/fc1/weight").shape() == Shape{8, 784});
}

TEST_CASE("train cli: HBFP training with the boosters schedule", "[models][cli][hbfp]") {
  ScratchDir dir;
  const std::string out = dir.path("m.h5");
  const auto r =
      run_cli({"train", "--model", "mlp", "--arch", R"({"hidden": [8, 8]})", "--epochs", "2",
               "--train-limit", "200", "--test-limit", "100", "--arithmetic", "hbfp", "--schedule",
               "boosters", "--settings",
               R"({"arithmetic": {"rounding": {"gradients": "stochastic"}}})", "-o", out});
  INFO(r.err);
  REQUIRE(r.status == 0);
  CHECK_THAT(r.out,
             Catch::Contains("MACs") && Catch::Contains("hbfp4") && Catch::Contains("hbfp6"));
  const auto f = io::h5::File::open(out);
  const json training = json::parse(f.string_attribute("training"));
  CHECK(training["arithmetic"]["schedule"] == "boosters");
  CHECK(training["arithmetic"]["mantissa"] == 4);
  CHECK(training["arithmetic"]["rounding"]["gradients"] == "stochastic");
  const json& macs = training["macs"];
  CHECK(macs["per_epoch"].size() == 2);
  CHECK(macs["fraction"]["hbfp4"].get<double>() + macs["fraction"]["hbfp6"].get<double>() ==
        Approx(1.0));
}

TEST_CASE("train cli: bad input is one line, before any training", "[models][cli]") {
  ScratchDir dir;
  const std::string out = dir.path("m.h5");
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{"--model", "mlpp", "-o", out}, "unknown model 'mlpp'; did you mean 'mlp'"},
      {{"--model", "vit", "--arch", R"({"dpth": 2})", "-o", out}, "did you mean 'depth'"},
      {{"--model", "vit", "--arch", "{", "-o", out}, "--arch:1:2: invalid JSON"},
      {{"--model", "mlp", "--settings", R"({"optimizer": "rmsprop"})", "-o", out},
       "--settings.optimizer"},
      {{"--model", "mlp", "--batch", "0", "-o", out}, "--batch: must be positive"},
      {{"--model", "mlp", "--arithmetic", "hbfp", "--mantissa", "1", "-o", out},
       "--settings.arithmetic.mantissa"},
      {{"--model", "mlp", "--schedule", "booster", "-o", out}, "did you mean 'boosters'"},
      {{"--model", "mlp", "-o", "/proc/m.h5"}, "/proc/m.h5"},
      {{"--model", "mlp"}, "output"},
  };
  for (const auto& c : cases) {
    std::vector<std::string> args = {"train", "--train-limit", "50", "--epochs", "1"};
    args.insert(args.end(), c.args.begin(), c.args.end());
    const auto r = run_cli(args);
    INFO(r.err);
    CHECK(r.status != 0);
    CHECK_THAT(r.err, Catch::Contains(c.message));
    CHECK_THAT(r.err, !Catch::Contains("training"));
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  }
  CHECK(dir.entries().empty());
}
