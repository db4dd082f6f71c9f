#pragma once
// Command-line edits of a config before validation ("--set PATH=VALUE"), and
// the config's own "reduce" section (the same edits, applied by --reduce to
// make a quick version of an experiment). PATH is dotted with list indices:
// "inputs[0].shape", "inputs[*].shape" (every element), "sweep.orders".
// VALUE is JSON; anything that does not parse as JSON is taken as a string.
#include <string>
#include <vector>

#include "core/params.hpp"

namespace interplay::experiment {

// Sets `value` at `path` in `config`; `where` names the edit in errors.
void set_at_path(json& config, const std::string& path, const json& value,
                 const std::string& where);

// "PATH=VALUE" as given to --set.
void apply_set_option(json& config, const std::string& assignment);

// Applies config["reduce"] = {PATH: VALUE, ...}.
void apply_reduce(json& config);

}  // namespace interplay::experiment
