// experiments/schema.json is written by hand and leaves plugin names and their
// parameters to the registry (`interplay list-plugins --json`, which carries
// each plugin's description): it must name no plugin or preset, so a new
// plugin never needs a schema edit.
#include <catch2/catch.hpp>
#include <functional>

#include "core/registry.hpp"
#include "helpers.hpp"

using namespace interplay;

TEST_CASE("schema.json names no plugin or preset", "[experiment]") {
  const json schema = json::parse(
      exptest::read_text(std::string(INTERPLAY_SOURCE_DIR) + "/experiments/schema.json"));
  std::vector<std::string> names = quantizers().names();
  for (const auto& n : sparsifiers().names()) names.push_back(n);
  std::size_t enums = 0;
  std::function<void(const json&)> walk = [&](const json& j) {
    if (j.is_object()) {
      if (j.contains("enum"))
        for (const auto& v : j["enum"]) {
          ++enums;
          if (v.is_string()) CHECK(std::find(names.begin(), names.end(), v) == names.end());
        }
      for (const auto& [k, v] : j.items()) walk(v);
    } else if (j.is_array()) {
      for (const auto& v : j) walk(v);
    }
  };
  walk(schema);
  CHECK(enums > 0);  // the walk reached the schema's enums
  const std::string steps = schema.at("$defs").at("step_entry").at("description");
  CHECK_THAT(steps, Catch::Contains("list-plugins"));
}
