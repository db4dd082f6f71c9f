#pragma once
// Name -> plugin factory, per kind. Built-ins are listed once in the X-macro
// files framework/{quantizers,sparsifiers,metrics}/*.def (the single source
// of truth, as LLVM's PassRegistry.def); each registers itself from its own
// file through the function named there.
#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/params.hpp"
#include "core/plugin.hpp"
#include "core/suggest.hpp"

namespace interplay {

template <class Base>
struct PluginInfo {
  std::string name;
  std::string summary;
  std::vector<ParamSpec> params;
  std::function<std::unique_ptr<Base>(const Params&)> make;
};

// A named parameter set for a plugin ("mxfp4" = mx with element fp4_e2m1).
struct Preset {
  std::string name, plugin, summary;
  json params;
};

template <class Base>
struct Built {
  std::unique_ptr<Base> object;
  std::string plugin;  // resolved plugin (a preset names its plugin)
  json params;         // every parameter, defaults filled in
};

template <class Base>
class Registry {
 public:
  explicit Registry(std::string kind) : kind_(std::move(kind)) {}

  const std::string& kind() const { return kind_; }

  void add(PluginInfo<Base> info) {
    if (plugins_.count(info.name) || presets_.count(info.name))
      throw Error("duplicate " + kind_ + " name '" + info.name + "'");
    for (const auto& spec : shared_) info.params.push_back(spec);
    plugins_.emplace(info.name, std::move(info));
  }
  // Appends parameters to every plugin, registered so far or later: the
  // calibration solver parameters every quantizer shares are declared once
  // this way.
  void append_params(const std::vector<ParamSpec>& extra) {
    for (auto& [name, info] : plugins_)
      for (const auto& spec : extra) info.params.push_back(spec);
    shared_.insert(shared_.end(), extra.begin(), extra.end());
  }
  void add_preset(Preset p) {
    if (plugins_.count(p.name) || presets_.count(p.name))
      throw Error("duplicate " + kind_ + " name '" + p.name + "'");
    if (!plugins_.count(p.plugin))
      throw Error(kind_ + " preset '" + p.name + "' names unknown plugin '" + p.plugin + "'");
    // A preset must itself be valid: catch typos at start-up, not at use.
    validate_params(plugins_.at(p.plugin).params, p.params, "preset " + p.name);
    presets_.emplace(p.name, std::move(p));
  }

  const std::map<std::string, PluginInfo<Base>>& plugins() const { return plugins_; }
  const std::map<std::string, Preset>& presets() const { return presets_; }

  // Plugin and preset names, for "valid: ..." lists.
  std::vector<std::string> names() const {
    std::vector<std::string> n;
    for (auto& [k, v] : plugins_) n.push_back(k);
    for (auto& [k, v] : presets_) n.push_back(k);
    return n;
  }
  bool contains(const std::string& name) const {
    return plugins_.count(name) || presets_.count(name);
  }
  // Every configuration a bare name selects: each preset, then each plugin no
  // preset names (at its defaults). The theory matrix, bench and the
  // registry-driven tests iterate these, so a new plugin joins them at once.
  std::vector<std::string> configurations() const {
    std::vector<std::string> n;
    for (auto& [k, v] : presets_) n.push_back(k);
    for (auto& [k, v] : plugins_)
      if (std::none_of(presets_.begin(), presets_.end(),
                       [&](const auto& p) { return p.second.plugin == k; }))
        n.push_back(k);
    return n;
  }
  // Undoes add() for a plugin a test registers for its own duration.
  void remove(const std::string& name) {
    for (auto& [k, p] : presets_)
      if (p.plugin == name) throw Error(kind_ + " '" + name + "' is named by preset '" + k + "'");
    plugins_.erase(name);
  }

  // Builds from a step object {"<key>": NAME, param: value, ...}; `where` is
  // the JSON path of that object for error messages.
  Built<Base> build(const json& step, const std::string& key, const std::string& where) const {
    const std::string name = step.at(key).template get<std::string>();
    json merged = json::object();
    std::string plugin = name;
    if (auto p = presets_.find(name); p != presets_.end()) {
      plugin = p->second.plugin;
      merged = p->second.params;
    } else if (!plugins_.count(name)) {
      throw Error(at(where + "." + key, unknown_name_message(kind_, name, names())));
    }
    for (auto& [k, v] : step.items())
      if (k != key) merged[k] = v;
    const auto& info = plugins_.at(plugin);
    Params params = validate_params(info.params, merged, where);
    Built<Base> b;
    try {
      b.object = info.make(params);
    } catch (const Error& e) {
      throw Error(at(where, e.what()));  // checks across parameters name the step too
    }
    b.plugin = plugin;
    b.params = params.values();
    return b;
  }
  Built<Base> build(const std::string& name, const std::string& where) const {
    return build(json{{"name", name}}, "name", where);
  }
  // What a plugin or preset is at its own parameters (quantizers and
  // sparsifiers: core/description.hpp), for list-plugins and the tests.
  auto describe(const std::string& name) const {
    return build(name, kind_ + " '" + name + "'").object->describe();
  }

 private:
  std::string kind_;
  std::map<std::string, PluginInfo<Base>> plugins_;
  std::map<std::string, Preset> presets_;
  std::vector<ParamSpec> shared_;  // append_params(): every plugin's, later ones' too
};

// The process-wide registries, filled with the built-ins on first use.
Registry<Quantizer>& quantizers();
Registry<Sparsifier>& sparsifiers();
Registry<Metric>& metrics();

}  // namespace interplay
