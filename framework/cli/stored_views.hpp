#pragma once
// `table` and `plot` render the named views (tables, figures) that a results
// file's stored config defines: all of them, or the one a --table / --figure
// option names. Errors name the file or the option, with a did-you-mean.
#include <algorithm>
#include <string>
#include <vector>

#include "cli/command.hpp"
#include "core/error.hpp"
#include "core/params.hpp"
#include "core/suggest.hpp"

namespace interplay::cli {

// `key` is "tables" or "figures", `kind` its singular ("table", "figure"),
// `parse(json, path)` the config parser of one kind of view.
template <class Parse>
auto stored_views(const json& config, const std::string& file, const std::string& key,
                  const std::string& kind, Parse parse, const po::variables_map& vm) {
  if (!config.contains(key) || config.at(key).empty())
    throw Error(file + ": the stored config defines no " + key);
  decltype(parse(config.at(key), key)) views;
  try {
    views = parse(config.at(key), key);
  } catch (const Error& e) {
    throw Error(file + ": stored config: " + e.what());
  }
  if (!vm.count(kind)) return views;
  const std::string want = vm[kind].as<std::string>();
  std::vector<std::string> names;
  for (const auto& v : views) names.push_back(v.name);
  const auto it =
      std::find_if(views.begin(), views.end(), [&](const auto& v) { return v.name == want; });
  if (it == views.end()) throw Error("--" + kind + ": " + unknown_name_message(kind, want, names));
  return decltype(views){*it};
}

}  // namespace interplay::cli
