// Config validation: every error names its JSON path; unknown keys suggest
// the closest valid one; sweeps expand as documented.
#include <catch2/catch.hpp>

#include "core/error.hpp"
#include "experiment/config.hpp"
#include "experiment/overrides.hpp"

using interplay::Error;
using interplay::json;
using namespace interplay::experiment;

namespace {

json base_config() {
  return json::parse(R"({
    "inputs": [{"name": "g", "distribution": "normal", "shape": [4, 64], "seeds": [0, 1]}],
    "metrics": ["l1", "l2sq"],
    "sweep": {"sparsity": [{"sparsifier": "nm", "n": 2, "m": 4, "label": "2:4"}],
              "formats": ["int8", "mxfp4", "hbfp8", "mxfp6_e3m2"]}
  })");
}

std::string error_of(const json& cfg) {
  try {
    const auto c = parse_config(cfg, "test.json", "");
    expand_points(c);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("unknown names are errors with the JSON path and a suggestion", "[experiment]") {
  json c = base_config();
  c["sweep"]["formats"][3] = "mxfp5";
  CHECK(error_of(c).rfind("sweep.formats[3]: unknown quantizer 'mxfp5'; did you mean 'mxfp4'?",
                          0) == 0);

  c = base_config();
  c["metrcs"] = c["metrics"];
  c.erase("metrics");
  CHECK(error_of(c).rfind("unknown key 'metrcs'; did you mean 'metrics'?", 0) == 0);

  c = base_config();
  c["sweep"]["formats"][1] = {{"quantizer", "mx"}, {"elemnt", "fp4_e2m1"}};
  CHECK(error_of(c).find("sweep.formats[1]: unknown parameter 'elemnt'; did you mean 'element'?") !=
        std::string::npos);

  c = base_config();
  c["inputs"][0]["distribution"] = "laplase";
  CHECK(error_of(c).rfind(
            "inputs[0].distribution: unknown distribution 'laplase'; did you mean 'laplace'?", 0) ==
        0);

  c = base_config();
  c["inputs"][0]["sdt"] = 2.0;
  CHECK(error_of(c).rfind("inputs[0]: unknown key 'sdt'; did you mean 'std'?", 0) == 0);

  c = base_config();
  c["sweep"]["sparsity"][0]["sparsifier"] = "nmm";
  CHECK(error_of(c).rfind("sweep.sparsity[0]: unknown sparsifier 'nmm'; did you mean 'nm'?", 0) ==
        0);
}

TEST_CASE("wrong types and out-of-range values name the path", "[experiment]") {
  json c = base_config();
  c["inputs"][0]["shape"] = {4, "64"};
  CHECK(error_of(c) == "inputs[0].shape[1]: expected an integer, got a string \"64\"");

  c = base_config();
  c["inputs"][0]["std"] = -1.0;
  CHECK(error_of(c).rfind("inputs[0].std: value -1.0 is out of range", 0) == 0);

  c = base_config();
  c["sweep"]["sparsity"][0]["n"] = 5;
  c["sweep"]["sparsity"][0]["m"] = 4;
  CHECK_FALSE(error_of(c).empty());

  c = base_config();
  c["sweep"]["formats"] = {{{"quantizer", "int"}, {"grid", {{"bits", {4, 20}}}}}};
  const std::string e = error_of(c);
  CHECK(e.rfind("sweep.formats[0].bits: value 20 is out of range 2..16", 0) == 0);
  CHECK(e.find("(at sweep values {\"bits\":20})") != std::string::npos);

  c = base_config();
  c["metrics"] = "l1";
  CHECK(error_of(c) == "metrics: expected a list, got a string \"l1\"");

  c = base_config();
  c["inputs"][0]["outliers"] = {{"fraction", 1.5}, {"magnitude", {1, 2}}};
  CHECK(error_of(c).rfind("inputs[0].outliers.fraction: value 1.5 is out of range 0..1", 0) == 0);
}

TEST_CASE("missing files and bad table columns are found before running", "[experiment]") {
  json c = base_config();
  c["inputs"][0] = {{"name", "w"}, {"file", "/nonexistent/w.npy"}};
  CHECK(error_of(c) == "inputs[0].file: file '/nonexistent/w.npy' not found");

  c = base_config();
  c["tables"] = {{"t", {{"rows", {"formt"}}, {"values", {"l1"}}}}};
  const auto cfg = parse_config(c, "x.json", "");
  const auto points = expand_points(cfg);
  try {
    validate_tables(cfg, result_columns(cfg, points));
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(std::string(e.what()).rfind(
              "tables.t.rows[0]: unknown column 'formt'; did you mean 'format'?", 0) == 0);
  }

  c = base_config();
  c["derived"] = {{"orthogonality", {"l3"}}};
  CHECK(error_of(c).rfind(
            "derived.orthogonality[0]: unknown metric column 'l3'; did you mean 'l1'?", 0) == 0);
}

TEST_CASE("sweep expansion: baselines, orders, grids, zips, exclusions", "[experiment]") {
  json c = base_config();
  auto cfg = parse_config(c, "x.json", "");
  auto points = expand_points(cfg);
  // Per seed: 1 S + 4 Q + 4 x {S->Q, Q->S}.
  REQUIRE(points.size() == 2 * (1 + 4 + 8));
  CHECK(points[0].order == "S");
  CHECK(points[0].sparsity == "2:4");
  CHECK(points[0].format.empty());
  CHECK(points[1].order == "Q");
  CHECK(points[1].format == "int8");
  CHECK(points[5].order == "S->Q");
  CHECK(points[5].pipeline->label() == "nm -> int8");
  CHECK(points[6].order == "Q->S");
  CHECK(points[6].pipeline->label() == "int8 -> nm");
  CHECK(std::isnan(points[0].bits_per_element));
  CHECK(points[2].bits_per_element == 4.25);                  // mxfp4
  CHECK(points[3].bits_per_element == 8.125);                 // hbfp8, block 64
  CHECK(points[1].bits_per_element == 8.0 + 4 * 32.0 / 256);  // int8: a FP32 scale per row

  c["sweep"]["formats"] = json::parse(
      R"([{"quantizer": "int", "granularity": "block", "grid": {"bits": [4, 8], "block": [32, 64]},
           "label": "int{bits}/g{block}"},
          {"quantizer": "mx", "zip": {"element": ["fp4_e2m1", "fp8_e4m3"], "block": [16, 32]}}])");
  c["sweep"]["orders"] = {"Q"};
  cfg = parse_config(c, "x.json", "");
  points = expand_points(cfg);
  REQUIRE(points.size() == 2 * 6);
  CHECK(points[0].format == "int4/g32");
  CHECK(points[1].format == "int4/g64");
  CHECK(points[2].format == "int8/g32");
  CHECK(points[0].swept == json{{"format.bits", 4}, {"format.block", 32}});
  CHECK(points[4].format == "mx(block=16,element=fp4_e2m1)");
  CHECK(points[5].format == "mx(block=32,element=fp8_e4m3)");

  c = base_config();
  c["sweep"]["exclude"] = json::parse(R"([{"format": ["int8", "hbfp8"], "order": "Q->S"}])");
  cfg = parse_config(c, "x.json", "");
  CHECK(expand_points(cfg).size() == 2 * (1 + 4 + 8 - 2));

  c["sweep"]["exclude"] = json::parse(R"([{"format": "int9"}])");
  CHECK(error_of(c) == "sweep.exclude[0]: matches no point (check the names and values)");
  c["sweep"]["exclude"] = json::parse(R"([{"fromat": "int8"}])");
  CHECK(error_of(c).rfind("sweep.exclude[0]: unknown key 'fromat'; did you mean 'format'?", 0) ==
        0);

  c = base_config();
  c["sweep"]["formats"] = {"mxfp4",
                           {{"quantizer", "mx"}, {"element", "fp4_e2m1"}, {"label", "mine"}}};
  CHECK(error_of(c).find("are identical") != std::string::npos);
}

TEST_CASE("point ids are stable and depend on what is computed", "[experiment]") {
  const auto a = expand_points(parse_config(base_config(), "x.json", ""));
  const auto b = expand_points(parse_config(base_config(), "other.json", "elsewhere"));
  REQUIRE(a.size() == b.size());
  for (std::size_t i = 0; i < a.size(); ++i) CHECK(a[i].id == b[i].id);
  json c = base_config();
  c["inputs"][0]["seeds"] = {0, 2};
  const auto d = expand_points(parse_config(c, "x.json", ""));
  CHECK(d[0].id == a[0].id);  // seed 0 unchanged
  CHECK(d.back().id != a.back().id);
  c = base_config();
  c["metrics"] = {"l1"};
  CHECK(expand_points(parse_config(c, "x.json", ""))[0].id != a[0].id);
  // Labels are presentation: renaming one does not change the computation's id.
  c = base_config();
  c["sweep"]["sparsity"][0]["label"] = "two-four";
  CHECK(expand_points(parse_config(c, "x.json", ""))[0].id == a[0].id);
}

TEST_CASE("set overrides and reduce edit the config before validation", "[experiment]") {
  json c = base_config();
  c["inputs"].push_back(
      json::parse(R"({"name": "h", "distribution": "uniform", "shape": [8, 8]})"));
  apply_set_option(c, "inputs[*].shape=[2,32]");
  CHECK(c["inputs"][0]["shape"] == json({2, 32}));
  CHECK(c["inputs"][1]["shape"] == json({2, 32}));
  apply_set_option(c, "sweep.orders=[\"Q\"]");
  CHECK(c["sweep"]["orders"] == json({"Q"}));
  apply_set_option(c, "name=hello world");
  CHECK(c["name"] == "hello world");
  CHECK_THROWS_WITH(apply_set_option(c, "inputs[7].shape=[1]"),
                    "--set inputs[7].shape: index [7] is past the end of a list of 2");
  CHECK_THROWS_WITH(apply_set_option(c, "noequals"), Catch::Contains("expected PATH=VALUE"));
  c["reduce"] = {{"inputs[0].seeds", {5}}};
  apply_reduce(c);
  CHECK(c["inputs"][0]["seeds"] == json({5}));
}
