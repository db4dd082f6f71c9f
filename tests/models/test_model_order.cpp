// A reduced run of experiments/model_order.json through `interplay run`, with
// each input redirected to a tiny model trained on first use in a scratch
// directory: the point structure, the M1 gaps and the rendered tables.
#include <catch2/catch.hpp>
#include <cmath>
#include <map>

#include "cli/run_cli.hpp"
#include "experiment/result_file.hpp"

using namespace interplay;
using interplay::test::run_cli;
using interplay::test::ScratchDir;

namespace {

// Small variants of the three architectures and a short training block.
std::string tiny_train(const std::string& kind) {
  json arch = kind == "mlp"   ? json{{"hidden", {32, 16}}}
              : kind == "cnn" ? json{{"channels", {4, 8}}, {"hidden", 16}}
                              : json{{"dim", 16}, {"depth", 1}, {"heads", 2}, {"mlp_dim", 32}};
  return json{{"model", kind},  {"arch", arch}, {"epochs", 1},
              {"images", 1500}, {"batch", 50},  {"lr", 3e-3}}
      .dump();
}

}  // namespace

TEST_CASE("model_order: reduced run with tiny models", "[models][experiment]") {
  ScratchDir dir;
  const std::string config = std::string(INTERPLAY_SOURCE_DIR) + "/experiments/model_order.json";
  const std::string out = dir.path("model_order.h5");
  std::vector<std::string> args = {"run", config, "--reduce", "-o", out, "-q"};
  const char* kinds[] = {"mlp", "mlp", "cnn", "cnn", "vit", "vit"};
  for (int i = 0; i < 6; ++i) {
    const std::string in = "inputs[" + std::to_string(i) + "]";
    args.push_back("--set");
    args.push_back(in + ".model=" + dir.path(std::string(kinds[i]) + ".h5"));
    args.push_back("--set");
    args.push_back(in + ".train=" + tiny_train(kinds[i]));
  }
  const auto r = run_cli(args);
  INFO(r.err);
  REQUIRE(r.status == 0);

  const auto t = experiment::read_results(out).table;
  // 6 inputs x (2 S + 1 Q + 2 x 2 composites + dense).
  REQUIRE(t.rows() == 6 * 8);
  const auto& input = t.at("input").strings;
  const auto& order = t.at("order").strings;
  const auto& acc = t.at("test_accuracy").numbers;
  const auto& drop = t.at("accuracy_drop").numbers;
  const auto& loss_inc = t.at("loss_increase").numbers;
  const auto& sparsity = t.at("weight_sparsity").numbers;
  const auto& gap = t.at("orth_gap.loss_increase").numbers;
  std::map<std::string, std::map<std::string, double>> loss_of;  // input -> order|sparsity|format
  for (std::size_t i = 0; i < t.rows(); ++i) {
    CHECK((acc[i] >= 0.0 && acc[i] <= 1.0));
    if (order[i] == "S") CHECK(sparsity[i] >= 0.5);
    if (order[i] == "dense") {  // the reference itself (fine-tuned alike for +ft inputs)
      CHECK(drop[i] == 0.0);
      CHECK(loss_inc[i] == 0.0);
    }
    loss_of[input[i]][order[i] + "|" + t.at("sparsity").strings[i] + "|" +
                      t.at("format").strings[i]] = loss_inc[i];
  }
  // The M1 gap of a composite row from its S and Q rows.
  for (std::size_t i = 0; i < t.rows(); ++i) {
    if (order[i] != "S->Q" && order[i] != "Q->S") continue;
    auto& m = loss_of[input[i]];
    const double expect = loss_inc[i] - m["S|" + t.at("sparsity").strings[i] + "|"] -
                          m["Q||" + t.at("format").strings[i]];
    CHECK(gap[i] == Approx(expect).margin(1e-12));
  }
  const auto table = run_cli({"table", out, "--table", "loss_threshold"});
  REQUIRE(table.status == 0);
  CHECK_THAT(table.out, Catch::Contains("vit+ft"));
  CHECK_THAT(table.out, Catch::Contains("mxfp4"));
}
