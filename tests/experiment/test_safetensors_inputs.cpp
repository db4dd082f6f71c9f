// Experiment inputs and activations from safetensors checkpoints: tensor
// names with dots and slashes, globs across them, float dtypes only.
#include <catch2/catch.hpp>

#include "core/error.hpp"
#include "experiment/config.hpp"
#include "helpers.hpp"
#include "io/safetensors_writer.hpp"

using namespace interplay;
using namespace interplay::experiment;
using Catch::Matchers::Contains;

TEST_CASE("file inputs: safetensors names, globs and activations", "[experiment][safetensors]") {
  exptest::ScratchDir dir;
  const Tensor up({4, 8}, std::vector<float>(32, 0.5f)), down({3, 8}, std::vector<float>(24, -1.0f));
  const Tensor norm({8}, std::vector<float>(8, 1.0f)), x({5, 8}, std::vector<float>(40, 2.0f));
  io::write_safetensors(dir.file("model.safetensors"),
                        {{"model.layers.0.mlp.up_proj.weight", up, "BF16"},
                         {"model.layers.0.mlp.down_proj.weight", down, "F16"},
                         {"model.layers.0/norm.weight", norm},
                         {"calib/x", x}});
  const json cfg = json::parse(R"({
    "inputs": [{"name": "mlp", "file": "model.safetensors", "dataset": "model.layers.*.mlp.*.weight"},
               {"name": "norm", "file": "model.safetensors", "dataset": "model.layers.0/norm.weight"}],
    "activations": [{"name": "x", "file": "model.safetensors", "dataset": "calib/x"}],
    "metrics": ["l1"],
    "sweep": {"formats": ["int8"]}
  })");
  const auto c = parse_config(cfg, dir.file("c.json"), dir.path());
  REQUIRE(c.inputs.size() == 3);
  CHECK(c.inputs[0].name == "mlp:model.layers.0.mlp.down_proj.weight");
  CHECK(c.inputs[1].name == "mlp:model.layers.0.mlp.up_proj.weight");
  CHECK(c.inputs[1].shape == Shape{4, 8});
  CHECK(load_input(c.inputs[1]).data == up.data);  // BF16 decoded
  CHECK(load_input(c.inputs[0]).data == down.data);
  CHECK(load_input(c.inputs[2]).data == norm.data);
  CHECK(load_activations(c.activations[0], 8).data == x.data);

  json bad = cfg;
  bad["inputs"][0]["dataset"] = "model.layers.*.attn.*";
  CHECK_THROWS_WITH(parse_config(bad, "c.json", dir.path()),
                    Contains("inputs[0].dataset: no float tensor in") &&
                        Contains("matches 'model.layers.*.attn.*'"));
  bad = cfg;
  bad["inputs"][1].erase("dataset");
  CHECK_THROWS_WITH(parse_config(bad, "c.json", dir.path()),
                    Contains("inputs[1]: a safetensors checkpoint needs 'dataset'"));
  bad = cfg;
  bad["inputs"][1]["dataset"] = "model.layers.0.norm.weight";  // '.' where the name has '/'
  CHECK_THROWS_WITH(parse_config(bad, "c.json", dir.path()),
                    Contains("no tensor 'model.layers.0.norm.weight'") &&
                        Contains("model.layers.0/norm.weight [8] F32"));
}
