// Inputs and activations from files: .npy, an HDF5 dataset, and an HDF5
// glob that picks every float dataset of a given rank.
#include <catch2/catch.hpp>

#include "core/error.hpp"
#include "experiment/config.hpp"
#include "helpers.hpp"
#include "io/hdf5.hpp"
#include "io/npy.hpp"

using namespace interplay;
using namespace interplay::experiment;

TEST_CASE("file inputs: npy, HDF5 dataset paths and globs, file activations", "[experiment]") {
  exptest::ScratchDir dir;
  const Tensor a({2, 8}, std::vector<float>(16, 1.5f));
  const Tensor b({3, 8}, std::vector<float>(24, -2.0f));
  const Tensor bias({8}, std::vector<float>(8, 0.25f));
  const Tensor x({5, 8}, std::vector<float>(40, 1.0f));
  {
    auto f = io::h5::File::create(dir.file("model.h5"));
    io::h5::write_tensor(f, "/layers/0/weight", a);
    io::h5::write_tensor(f, "/layers/1/weight", b);
    io::h5::write_tensor(f, "/layers/1/bias", bias);
  }
  io::write_npy(dir.file("w.npy"), a);
  io::write_npy(dir.file("x.npy"), x);

  const json cfg = json::parse(R"({
    "inputs": [{"name": "m", "file": "model.h5", "dataset": "/layers/*", "ndim": 2},
               {"name": "w", "file": "w.npy"},
               {"name": "one", "file": "model.h5", "dataset": "layers/1/bias"}],
    "activations": [{"name": "x", "file": "x.npy"}],
    "metrics": ["l1", "output"],
    "sweep": {"formats": ["int8"]}
  })");
  const auto c = parse_config(cfg, dir.file("c.json"), dir.path());
  REQUIRE(c.inputs.size() == 4);
  CHECK(c.inputs[0].name == "m:/layers/0/weight");
  CHECK(c.inputs[1].name == "m:/layers/1/weight");
  CHECK(c.inputs[2].name == "w");
  CHECK(c.inputs[3].name == "one");
  CHECK(c.inputs[1].shape == Shape{3, 8});
  CHECK(load_input(c.inputs[1]).data == b.data);
  CHECK(load_input(c.inputs[2]).data == a.data);
  CHECK(load_activations(c.activations[0], 8).data == x.data);
  const auto points = expand_points(c);
  CHECK(points.size() == 4);
  CHECK(points[0].id != points[2].id);  // same values, different source

  json bad = cfg;
  bad["inputs"][0]["dataset"] = "/nothing/*";
  CHECK_THROWS_WITH(
      parse_config(bad, "c.json", dir.path()),
      "inputs[0].dataset: no float dataset in '" + dir.path() + "/model.h5' matches '/nothing/*'");
  bad = cfg;
  bad["inputs"][1]["dataset"] = "/x";
  CHECK_THROWS_WITH(parse_config(bad, "c.json", dir.path()),
                    "inputs[1].dataset: a .npy file holds one array; remove 'dataset'");
  bad = cfg;
  io::write_npy(dir.file("x9.npy"), Tensor({5, 9}));
  bad["activations"][0]["file"] = "x9.npy";
  CHECK_THROWS_WITH(
      parse_config(bad, "c.json", dir.path()),
      Catch::StartsWith(
          "activations[0]: activations have 9 features but input 'm:/layers/0/weight'"));
}
