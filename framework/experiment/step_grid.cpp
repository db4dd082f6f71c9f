#include "experiment/step_grid.hpp"

#include <set>

#include "core/error.hpp"
#include "core/pipeline.hpp"
#include "core/registry.hpp"
#include "experiment/json_path.hpp"

namespace interplay::experiment {
namespace {

std::string value_text(const json& v) {
  return v.is_string() ? v.get<std::string>() : v.dump();
}

// "int{bits}" -> "int4"; an unknown {name} is an error naming the label.
std::string fill_label(const std::string& tmpl, const json& step, const std::string& path) {
  std::string out;
  for (std::size_t i = 0; i < tmpl.size(); ++i) {
    if (tmpl[i] != '{') {
      out += tmpl[i];
      continue;
    }
    const std::size_t close = tmpl.find('}', i);
    if (close == std::string::npos) throw Error(at(path, "unclosed '{' in label '" + tmpl + "'"));
    const std::string key = tmpl.substr(i + 1, close - i - 1);
    if (!step.contains(key))
      throw Error(at(path, "label '" + tmpl + "' names '{" + key +
                               "}', which is not a parameter of this entry"));
    out += value_text(step.at(key));
    i = close;
  }
  return out;
}

std::string default_label(const std::string& name, const json& swept) {
  if (swept.empty()) return name;
  std::string s = name + "(";
  bool first = true;
  for (const auto& [k, v] : swept.items()) {
    s += (first ? "" : ",") + k + "=" + value_text(v);
    first = false;
  }
  return s + ")";
}

// The sweep axes of one entry: a list of {param: value} assignments.
std::vector<json> assignments(const json& entry, const std::string& path) {
  std::vector<json> zipped{json::object()};
  if (const json* z = optional(entry, "zip")) {
    const std::string zp = child_path(path, "zip");
    if (!z->is_object() || z->empty())
      throw Error(at(zp, "expected an object {param: [values], ...}"));
    std::size_t len = 0;
    bool first = true;
    for (const auto& [k, v] : z->items()) {
      check_array(v, child_path(zp, k), true);
      if (!first && v.size() != len)
        throw Error(at(child_path(zp, k), "has " + std::to_string(v.size()) +
                                              " values but the other zip lists have " +
                                              std::to_string(len)));
      len = v.size(), first = false;
    }
    zipped.assign(len, json::object());
    for (const auto& [k, v] : z->items())
      for (std::size_t i = 0; i < len; ++i) zipped[i][k] = v[i];
  }
  std::vector<json> out = zipped;
  if (const json* g = optional(entry, "grid")) {
    const std::string gp = child_path(path, "grid");
    if (!g->is_object() || g->empty())
      throw Error(at(gp, "expected an object {param: [values], ...}"));
    for (const auto& [k, v] : g->items()) {
      check_array(v, child_path(gp, k), true);
      if (entry.contains("zip") && entry.at("zip").contains(k))
        throw Error(at(child_path(gp, k), "'" + k + "' is swept by both grid and zip"));
      std::vector<json> next;
      for (const auto& base : out)
        for (const auto& value : v) {
          json a = base;
          a[k] = value;
          next.push_back(std::move(a));
        }
      out = std::move(next);
    }
  }
  return out;
}

}  // namespace

std::vector<StepChoice> expand_step_list(const json& list, const std::string& path,
                                         const std::string& kind) {
  check_array(list, path);
  const bool quant = kind == "quantizer";
  const std::vector<std::string> names = quant ? quantizers().names() : sparsifiers().names();
  std::vector<StepChoice> out;
  std::set<std::string> labels;
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::string ep = index_path(path, i);
    json entry = list[i];
    if (entry.is_string()) entry = json{{kind, entry}};
    if (!entry.is_object())
      throw Error(
          at(ep, "expected a " + kind + " name or an object {\"" + kind + "\": name, ...}"));
    const json* name_v = optional(entry, kind);
    if (!name_v) {
      const std::string other = quant ? "sparsifier" : "quantizer";
      if (entry.contains(other))
        throw Error(at(ep, "this list takes " + kind + "s, not a '" + other + "'"));
      throw Error(at(ep, "missing required key '" + kind + "'"));
    }
    const std::string name = as_string(*name_v, child_path(ep, kind));
    const bool known = quant ? quantizers().contains(name) : sparsifiers().contains(name);
    if (!known) throw Error(at(ep, unknown_name_message(kind, name, names)));

    const std::string tmpl =
        entry.contains("label") ? as_string(entry.at("label"), child_path(ep, "label")) : "";
    for (const auto& assignment : assignments(entry, ep)) {
      StepChoice c;
      c.path = ep;
      c.step = entry;
      c.step.erase("label"), c.step.erase("grid"), c.step.erase("zip");
      for (const auto& [k, v] : assignment.items()) {
        if (c.step.contains(k))
          throw Error(at(ep, "'" + k + "' is both fixed and swept; remove one"));
        c.step[k] = v;
      }
      c.swept = assignment;
      try {
        Pipeline::from_json(c.step, ep);  // validates every parameter
      } catch (const Error& e) {
        if (assignment.empty()) throw;
        throw Error(std::string(e.what()) + " (at sweep values " + assignment.dump() + ")");
      }
      c.label = tmpl.empty() ? default_label(name, assignment)
                             : fill_label(tmpl, c.step, child_path(ep, "label"));
      if (!labels.insert(c.label).second)
        throw Error(at(ep, "duplicate label '" + c.label + "' in " + path +
                               " (give entries distinct \"label\"s, e.g. \"" + name +
                               "{param}\")"));
      out.push_back(std::move(c));
    }
  }
  return out;
}

}  // namespace interplay::experiment
