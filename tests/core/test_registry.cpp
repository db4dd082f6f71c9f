// Registry, typed parameters and pipeline parsing: every error names what is
// wrong and where.
#include <catch2/catch.hpp>

#include "core/error.hpp"
#include "core/pipeline.hpp"
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
  CHECK_THROWS_WITH(Pipeline::from_json(json::parse(R"({"steps":[{"quantizer":"mxfp5"}]})")),
                    "pipeline.steps[0].quantizer: unknown quantizer 'mxfp5'; did you mean "
                    "'mxfp4'? (valid: fp, hbfp, int, mx, nvfp4, fp8_e4m3, fp8_e5m2, hbfp4, "
                    "hbfp6, hbfp8, int4, int8, mxfp4, mxfp6_e2m3, mxfp6_e3m2, mxfp8_e4m3, "
                    "mxfp8_e5m2, mxint8)");
  CHECK_THROWS_WITH(Pipeline::from_json(json::parse(R"({"steps":[{"foo":1}]})")),
                    Catch::Contains("pipeline.steps[0]: a step needs exactly one of"));
  CHECK_THROWS_WITH(Pipeline::from_text("{not json"), Catch::Contains("--pipeline:1:3: invalid JSON"));
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
