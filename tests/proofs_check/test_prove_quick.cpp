// `interplay prove --quick` end to end through the real executable: every
// statement comes out as THEORY.md states it (no forall violated inside its
// assumptions, every exists witnessed, T3 for every preset), the necessity
// cases of the issue are found outside the assumptions, and every
// counterexample written to JSON and HDF5 replays.
#include <catch2/catch.hpp>

#include "cli/run_cli.hpp"
#include "core/params.hpp"
#include "core/registry.hpp"
#include "io/tensor_file.hpp"

using namespace interplay;
using interplay::test::run_cli;

namespace {

const json& statement(const json& report, const std::string& id) {
  for (const auto& s : report.at("statements"))
    if (s.at("id") == id) return s;
  throw std::runtime_error("statement " + id + " missing from the report");
}

std::size_t sole_violating(const json& s, const std::string& assumption) {
  for (const auto& e : s.at("evidence"))
    if (e.at("assumption") == assumption) return e.at("sole_violating").get<std::size_t>();
  return 0;
}

}  // namespace

TEST_CASE("interplay prove --quick: verdicts, necessity evidence, replay", "[proofs][cli]") {
  test::ScratchDir dir;
  const std::string js = dir.path("proofs.json"), md = dir.path("proofs.md"),
                    h5 = dir.path("proofs.h5");
  const auto r =
      run_cli({"prove", "--quick", "--json", js, "--report", md, "--counterexamples", h5});
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  CHECK(r.out.find("all statements as expected") != std::string::npos);
  const json report = json::parse(test::read_bytes(js));
  CHECK(report.at("passed") == true);
  for (const char* id : {"L1", "T1", "T2", "T5"})
    CHECK(statement(report, id).at("verdict") == "holds within assumptions");
  for (const char* id : {"T3", "T4"}) CHECK(statement(report, id).at("verdict") == "witness found");
  // T3: a witness for every preset.
  const json& t3 = statement(report, "T3");
  for (const auto& [name, preset] : quantizers().presets()) {
    INFO(name);
    CHECK(t3.at("witness_by_quantizer").value(name, false));
  }
  // Necessity, each shown where it is the only failing assumption.
  const json& t2 = statement(report, "T2");
  CHECK(sole_violating(t2, "groups_inside_blocks") > 0);  // unstructured across per-block scales
  CHECK(sole_violating(t2, "phi_convex") > 0);            // L0.5
  CHECK(sole_violating(t2, "nearest_rounding") > 0);      // stochastic rounding
  CHECK(sole_violating(statement(report, "L1"), "partitions_nested") > 0);
  CHECK(sole_violating(statement(report, "L1"), "scale_from_amax") > 0);
  CHECK(sole_violating(statement(report, "T5"), "covariance_isotropic") > 0);
  CHECK(test::read_bytes(md).find("## T3") != std::string::npos);

  const auto replay_json = run_cli({"prove", "--replay", js});
  INFO(replay_json.out);
  CHECK(replay_json.status == 0);
  const auto replay_h5 = run_cli({"prove", "--replay", h5});
  CHECK(replay_h5.status == 0);
  CHECK(replay_h5.out.find("NOT REPRODUCED") == std::string::npos);
}

TEST_CASE("interplay prove samples real weights from a file", "[proofs][cli]") {
  test::ScratchDir dir;
  Tensor w({16, 128});
  for (std::size_t i = 0; i < w.size(); ++i)
    w.data[i] = float(int(i * 2654435761u % 1999) - 999) / 512;
  const std::string file = dir.path("w.npy"), js = dir.path("w.json"), h5 = dir.path("w.h5"),
                    md = dir.path("w.md");
  io::write_tensor(file, w);
  const auto r = run_cli({"prove", "--weights", file, "--quantizer", "mxfp4", "--sparsifier", "2:4",
                          "--statement", "T2", "--json", js, "--counterexamples", h5,
                          "--smallest-only", "--report", md});
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  const json report = json::parse(test::read_bytes(js));
  std::size_t weight_samples = 0, with_counterexample = 0;
  for (const auto& c : report.at("statements").at(0).at("configs")) {
    weight_samples += c.at("trials").at("weights").at("samples").get<std::size_t>();
    with_counterexample += !c.at("counterexample").is_null();
  }
  CHECK(weight_samples > 0);
  // Weight crops are a seventh generator: every synthetic distribution keeps
  // its samples, and every generator gets the same number.
  const std::vector<std::string> gens{"gaussian", "laplace", "uniform", "student_t3",
                                      "outliers", "dyadic",  "weights"};
  for (const auto& c : report.at("statements").at(0).at("configs")) {
    const json& by = c.at("trials").at("random_by_generator");
    REQUIRE(by.size() == gens.size());
    std::size_t synthetic = 0;
    for (const auto& g : gens) {
      INFO(g);
      CHECK(by.at(g).at("samples") == by.at("weights").at("samples"));
      if (g != "weights") synthetic += by.at(g).at("samples").get<std::size_t>();
    }
    CHECK(synthetic == c.at("trials").at("random").at("samples").get<std::size_t>());
  }
  // Rates outside the assumptions are reported per generator, never pooled.
  const json& outside = report.at("statements").at(0).at("random_rate_outside_by_generator");
  REQUIRE(!outside.empty());
  for (const auto& [variant, by] : outside.items()) CHECK(by.size() == gens.size());
  const std::string text = test::read_bytes(md);
  CHECK(text.find("| variant | assumptions | gaussian | laplace | uniform | student_t3 | "
                  "outliers | dyadic | weights |") != std::string::npos);
  CHECK(text.find("| inside the assumptions | outside |") == std::string::npos);  // pooled table
  const auto replay = run_cli({"prove", "--replay", h5});
  CHECK(replay.status == 0);
  // One stored counterexample per quantizer and label: fewer than all of them.
  const std::size_t slash = replay.out.rfind('/'), space = replay.out.find(' ', slash);
  REQUIRE(slash != std::string::npos);
  const std::size_t stored = std::stoul(replay.out.substr(slash + 1, space - slash - 1));
  CHECK(stored > 0);
  CHECK(stored < with_counterexample);
}

TEST_CASE("interplay prove --model checks M1 on a trained model", "[proofs][cli]") {
  test::ScratchDir dir;
  const std::string model = dir.path("mlp.h5"), js = dir.path("m1.json");
  const auto train = run_cli({"train", "--model", "mlp", "--output", model, "--epochs", "1",
                              "--train-limit", "2000", "--test-limit", "200", "--quiet"});
  INFO(train.out << train.err);
  REQUIRE(train.status == 0);
  const auto r = run_cli({"prove", "--statement", "M1", "--model", model, "--quantizer", "int4",
                          "--quantizer", "mxfp4", "--model-images", "300", "--json", js});
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  const json report = json::parse(test::read_bytes(js));
  const json& m = report.at("model");
  CHECK(m.at("test_images") == 300);
  REQUIRE(m.at("pairs").size() == 4);  // 2 quantizers x {2:4, unstructured50}
  for (const auto& p : m.at("pairs")) {
    const json& loss = p.at("loss");
    const double threshold = loss.at("dense").get<double>() +
                             (loss.at("S").get<double>() - loss.at("dense").get<double>()) +
                             (loss.at("Q").get<double>() - loss.at("dense").get<double>());
    CHECK(loss.at("threshold").get<double>() == Approx(threshold));
    CHECK(p.at("loss_gap").at("S->Q").get<double>() ==
          Approx(loss.at("S->Q").get<double>() - threshold));
    // The interval is around the gap, and the call follows from the interval.
    for (const char* order : {"S->Q", "Q->S"}) {
      const json& ci = p.at("loss_gap_ci").at(order);
      CHECK(ci.at("mean").get<double>() == Approx(p.at("loss_gap").at(order).get<double>()));
      CHECK(ci.at("lo").get<double>() <= ci.at("hi").get<double>());
      CHECK(ci.at("hi").get<double>() > ci.at("lo").get<double>());  // 300 images: not degenerate
      const std::string call = ci.at("call");
      CHECK(call == (ci.at("lo").get<double>() > 0   ? "above"
                     : ci.at("hi").get<double>() < 0 ? "below"
                                                     : "inconclusive"));
    }
  }
  // A witness is a gap significantly above the threshold, never one inside its interval.
  const json& calls = m.at("loss_gap_calls").at("S->Q");
  CHECK(calls.at("above").get<std::size_t>() + calls.at("below").get<std::size_t>() +
            calls.at("inconclusive").get<std::size_t>() ==
        4);
  const std::string verdict = statement(report, "M1").at("verdict");
  CHECK(verdict ==
        (calls.at("above").get<std::size_t>() > 0 ? "witness found" : "NO WITNESS found"));

  // Two training seeds pooled: one row per pair, bootstrapped over seeds x images.
  const std::string model1 = dir.path("mlp1.h5"), js2 = dir.path("m1s.json");
  REQUIRE(run_cli({"train", "--model", "mlp", "--output", model1, "--epochs", "1", "--seed", "1",
                   "--train-limit", "2000", "--test-limit", "200", "--quiet"})
              .status == 0);
  const auto pooled =
      run_cli({"prove", "--statement", "M1", "--model-seeds", "--model", model, "--model", model1,
               "--quantizer", "mxfp4", "--model-images", "300", "--json", js2});
  INFO(pooled.out << pooled.err);
  REQUIRE(pooled.status == 0);
  const json pairs = json::parse(test::read_bytes(js2)).at("model").at("pairs");
  REQUIRE(pairs.size() == 2);  // {2:4, unstructured50}, not per model
  CHECK(pairs[0].at("model").get<std::string>().rfind("2 seeds", 0) == 0);
  const json& ci = pairs[0].at("loss_gap_ci").at("S->Q");
  CHECK(ci.at("lo").get<double>() < ci.at("hi").get<double>());
  const auto one = run_cli({"prove", "--statement", "M1", "--model-seeds", "--model", model});
  CHECK(one.status != 0);
  CHECK(one.err.find("--model-seeds") != std::string::npos);
}

TEST_CASE("interplay prove rejects bad options with one line", "[proofs][cli]") {
  const auto bad = run_cli({"prove", "--statement", "T9"});
  CHECK(bad.status == 1);
  CHECK(bad.err.find("T1") != std::string::npos);
  const auto both = run_cli({"prove", "--quick", "--full"});
  CHECK(both.status == 1);
  const auto missing = run_cli({"prove", "--replay", "/nonexistent/cex.h5"});
  CHECK(missing.status == 1);
  CHECK(missing.err.find("/nonexistent/cex.h5") != std::string::npos);
}
