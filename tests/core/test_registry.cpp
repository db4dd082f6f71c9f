// Registry, typed parameters and pipeline parsing: every error names what is
// wrong and where.
#include <catch2/catch.hpp>

#include "core/error.hpp"
#include "core/pipeline.hpp"
#include "core/plugin_contract.hpp"
#include "core/registry.hpp"
#include "core/suggest.hpp"
#include "support.hpp"

using namespace interplay;

TEST_CASE("edit distance and suggestions", "[core]") {
  CHECK(edit_distance("mxfp5", "mxfp4") == 1);
  CHECK(edit_distance("", "abc") == 3);
  CHECK(closest("mxfp5", {"mxfp4", "int8", "hbfp8"}) == "mxfp4");
  CHECK(closest("zzzzzzzz", {"mxfp4", "int8"}).empty());
}

TEST_CASE("parameters are validated against their specs", "[core]") {
  const std::vector<ParamSpec> specs{
      ParamSpec::integer("bits", 8, 2, 16, "b"), ParamSpec::real("fraction", 0.5, 0, 1, "f"),
      ParamSpec::flag("saturate", true, "s"), ParamSpec::choice("mode", "a", {"a", "b"}, "m")};
  const Params p = validate_params(specs, json{{"bits", 4}, {"fraction", 0.25}}, "step");
  CHECK(p.integer("bits") == 4);
  CHECK(p.real("fraction") == 0.25);
  CHECK(p.flag("saturate"));  // default filled in
  CHECK(p.str("mode") == "a");
  CHECK(validate_params(specs, json{{"bits", 4.0}}, "s").integer("bits") == 4);
  CHECK_THROWS_WITH(validate_params(specs, json{{"bits", 4.5}}, "step"),
                    "step.bits: expected an integer, got 4.5");
  CHECK_THROWS_WITH(validate_params(specs, json{{"bits", 1}}, "step"),
                    "step.bits: value 1 is out of range 2..16");
  CHECK_THROWS_WITH(validate_params(specs, json{{"fraction", "x"}}, "step"),
                    Catch::Contains("step.fraction: expected a number"));
  CHECK_THROWS_WITH(validate_params(specs, json{{"saturate", 1}}, "step"),
                    Catch::Contains("step.saturate: expected true or false"));
  CHECK_THROWS_WITH(validate_params(specs, json{{"mode", "c"}}, "step"),
                    Catch::Contains("step.mode: unknown value 'c'"));
  CHECK_THROWS_WITH(validate_params(specs, json{{"bitz", 3}}, "step"),
                    Catch::Contains("unknown parameter 'bitz'; did you mean 'bits'?"));
}

TEST_CASE("presets resolve to their plugin and accept overrides", "[core]") {
  auto b = quantizers().build(json{{"quantizer", "mxfp6_e3m2"}, {"rounding", "nearest_away"}},
                              "quantizer", "s");
  CHECK(b.plugin == "mx");
  CHECK(b.params["element"] == "fp6_e3m2");
  CHECK(b.params["rounding"] == "nearest_away");
  CHECK(b.params["block"] == 32);
}

TEST_CASE("pipelines parse from every accepted form and round-trip", "[core]") {
  const Pipeline a = Pipeline::from_json(
      json::parse(R"({"steps":[{"sparsifier":"nm","n":2,"m":4},{"quantizer":"mxfp6_e3m2"}]})"));
  REQUIRE(a.steps().size() == 2);
  CHECK(a.steps()[0].kind == PipelineStep::Kind::Sparsify);
  CHECK(a.label() == "nm -> mxfp6_e3m2");
  const Pipeline b = Pipeline::from_json(a.to_json());
  CHECK(b.to_json() == a.to_json());
  CHECK(Pipeline::from_text("mxfp4").steps().size() == 1);
  CHECK(Pipeline::from_text(R"([{"quantizer":"int8"}])").steps().size() == 1);
  // The valid list is every plugin, then every preset, as the registry holds them.
  std::string valid;
  for (const auto& n : quantizers().names()) valid += (valid.empty() ? "" : ", ") + n;
  CHECK_THROWS_WITH(Pipeline::from_json(json::parse(R"({"steps":[{"quantizer":"mxfp5"}]})")),
                    "pipeline.steps[0].quantizer: unknown quantizer 'mxfp5'; did you mean "
                    "'mxfp4'? (valid: " +
                        valid + ")");
  CHECK_THROWS_WITH(Pipeline::from_json(json::parse(R"({"steps":[{"foo":1}]})")),
                    Catch::Contains("pipeline.steps[0]: a step needs exactly one of"));
  CHECK_THROWS_WITH(Pipeline::from_text("{not json"),
                    Catch::Contains("--pipeline:1:3: invalid JSON"));
  CHECK_THROWS_WITH(Pipeline::from_json(json::parse(R"({"steps":[],"extra":1})")),
                    Catch::Contains("unknown key 'extra'"));
}

TEST_CASE("S->Q and Q->S are the same steps in two orders; prefixes are kept", "[core]") {
  const Tensor x = test::vec({0.6f, 1.4f, -3.0f, 0.1f});
  const Pipeline sq = Pipeline::from_json(json::parse(
      R"([{"sparsifier":"nm","n":1,"m":2},{"quantizer":"int","bits":3,"granularity":"tensor"}])"));
  const std::vector<Tensor> outs = sq.run_prefixes(x);
  REQUIRE(outs.size() == 2);
  CHECK(outs[0].data == std::vector<float>{0.0f, 1.4f, -3.0f, 0.0f});
  CHECK(outs[1].data == sq.apply(x).data);
}

TEST_CASE("configurations: every preset, then every plugin no preset names", "[core]") {
  const auto names = quantizers().configurations();
  const auto listed = [&](const std::string& n) {
    return std::find(names.begin(), names.end(), n) != names.end();
  };
  for (const auto& [name, preset] : quantizers().presets()) CHECK(listed(name));
  for (const auto& [name, info] : quantizers().plugins()) {
    const bool has_preset =
        std::any_of(quantizers().presets().begin(), quantizers().presets().end(),
                    [&](const auto& p) { return p.second.plugin == name; });
    CHECK(listed(name) != has_preset);
  }
  CHECK(listed("nvfp4"));  // the plugin is its own configuration
  CHECK_FALSE(listed("mx"));
  CHECK(sparsifiers().configurations().size() == sparsifiers().plugins().size());
}

TEST_CASE("every quantizer configuration keeps the contract its description states", "[core]") {
  for (const auto& name : quantizers().configurations()) test::check_quantizer_contract(name);
}

TEST_CASE("every plugin describes itself at its defaults, as list-plugins shows it", "[core]") {
  for (const auto& [name, info] : quantizers().plugins()) {
    INFO(name);
    CHECK_NOTHROW(quantizers().describe(name).to_json());
  }
  for (const auto& [name, info] : sparsifiers().plugins()) {
    INFO(name);
    CHECK_NOTHROW(sparsifiers().describe(name).to_json());
  }
}

TEST_CASE("every sparsifier keeps the contract its description states", "[core]") {
  for (const auto& name : sparsifiers().configurations()) test::check_sparsifier_contract(name);
}

TEST_CASE("descriptions of the built-ins, checked by hand", "[core]") {
  const QuantizerDescription nv = quantizers().describe("nvfp4");
  REQUIRE(nv.scales.size() == 2);
  CHECK(nv.scales[0].parts.kind == Partitioning::Kind::Blocks);
  CHECK(nv.scales[0].parts.size == 16);
  CHECK(nv.scales[0].encoding == ScaleEncoding::E4M3);
  CHECK(nv.scales[1].parts.kind == Partitioning::Kind::Tensor);
  CHECK(quantizers().describe("mxfp4").to_json() ==
        json::parse(R"({"scales": [{"kind": "blocks", "axis": -1, "size": 32,
                        "encoding": "power_of_two"}], "statistic": "amax",
                        "element": "fp4_e2m1", "rounding": "nearest_even", "solvers": true})"));
  CHECK(quantizers().describe("fp8_e5m2").scales.empty());
  CHECK(quantizers().describe("int4").scales[0].parts.kind == Partitioning::Kind::Channel);
  const auto asym = quantizers().build(json::parse(R"({"quantizer":"int4","scheme":"asymmetric"})"),
                                       "quantizer", "s");
  CHECK(asym.object->describe().statistic == ScaleStatistic::MinMax);
  const SparsifierDescription nm = sparsifiers().describe("nm");
  CHECK(nm.keep == 2);
  CHECK(nm.groups.size == 4);
  CHECK(sparsifiers().describe("wanda").calibration);
  CHECK(sparsifiers().describe("block").unit.size == 4);
}
