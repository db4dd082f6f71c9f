#pragma once
// Expands one sweep entry into concrete pipeline steps. An entry is a preset
// or plugin name, or a step object whose parameters may be swept:
//   {"quantizer": "int", "granularity": "block",
//    "grid": {"bits": [4, 8], "block": [32, 128]},   cartesian product
//    "zip":  {"rounding": [...], "axis": [...]},      lists taken together
//    "label": "int{bits}-g{block}"}                   {param} is substituted
// Zip tuples are crossed with the grid. Every expanded step is validated
// against the plugin's parameters here, before anything runs.
#include <string>
#include <vector>

#include "core/params.hpp"

namespace interplay::experiment {

struct StepChoice {
  std::string label;  // unique within its list
  json step;          // {"quantizer": name, param: value, ...}
  json swept;         // {param: value} taken from grid/zip
  std::string path;   // JSON path of the entry, for errors
};

// `kind` is "sparsifier" or "quantizer".
std::vector<StepChoice> expand_step_list(const json& list, const std::string& path,
                                         const std::string& kind);

}  // namespace interplay::experiment
