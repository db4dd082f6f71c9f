#include "experiment/overrides.hpp"

#include "core/error.hpp"
#include "core/json_text.hpp"

namespace interplay::experiment {
namespace {

struct Segment {
  bool index = false;  // [i] or [*]
  bool all = false;    // * or [*]
  std::string key;
  std::size_t i = 0;
};

std::vector<Segment> parse_path(const std::string& path, const std::string& where) {
  std::vector<Segment> out;
  std::size_t p = 0;
  while (p < path.size()) {
    if (path[p] == '.') {
      ++p;
      continue;
    }
    Segment s;
    if (path[p] == '[') {
      const std::size_t close = path.find(']', p);
      if (close == std::string::npos) throw Error(at(where, "unclosed '[' in '" + path + "'"));
      const std::string inner = path.substr(p + 1, close - p - 1);
      s.index = true;
      if (inner == "*") {
        s.all = true;
      } else {
        if (inner.empty() || inner.find_first_not_of("0123456789") != std::string::npos ||
            inner.size() > 9)  // no config holds a list of a billion entries
          throw Error(at(where, "bad list index '[" + inner + "]' in '" + path + "'"));
        s.i = std::stoul(inner);
      }
      p = close + 1;
    } else {
      const std::size_t end = path.find_first_of(".[", p);
      s.key = path.substr(p, end == std::string::npos ? std::string::npos : end - p);
      s.all = s.key == "*";
      p = end == std::string::npos ? path.size() : end;
    }
    out.push_back(s);
  }
  if (out.empty()) throw Error(at(where, "empty path"));
  return out;
}

void set_rec(json& node, const std::vector<Segment>& segs, std::size_t k, const json& value,
             const std::string& where) {
  const Segment& s = segs[k];
  const bool last = k + 1 == segs.size();
  auto descend = [&](json& child) {
    if (last)
      child = value;
    else
      set_rec(child, segs, k + 1, value, where);
  };
  if (s.index) {
    if (!node.is_array()) throw Error(at(where, "a list index is applied to a non-list"));
    if (s.all) {
      for (auto& child : node) descend(child);
      return;
    }
    if (s.i >= node.size())
      throw Error(at(where, "index [" + std::to_string(s.i) + "] is past the end of a list of " +
                                std::to_string(node.size())));
    descend(node[s.i]);
    return;
  }
  if (!node.is_object()) throw Error(at(where, "key '" + s.key + "' is applied to a non-object"));
  if (s.all) {
    for (auto& [key, child] : node.items()) descend(child);
    return;
  }
  if (!node.contains(s.key) && !last) throw Error(at(where, "no key '" + s.key + "'"));
  descend(node[s.key]);
}

}  // namespace

void set_at_path(json& config, const std::string& path, const json& value,
                 const std::string& where) {
  set_rec(config, parse_path(path, where), 0, value, where);
}

void apply_set_option(json& config, const std::string& assignment) {
  const std::size_t eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0)
    throw Error("--set '" + assignment + "': expected PATH=VALUE, e.g. inputs[*].shape=[64,64]");
  const std::string path = assignment.substr(0, eq), text = assignment.substr(eq + 1);
  json value;
  try {
    value = parse_json(text, "--set " + path);
  } catch (const JsonTooDeep&) {
    throw;
  } catch (const Error&) {
    value = text;  // not JSON: a bare string, e.g. --set name=run2
  }
  set_at_path(config, path, value, "--set " + path);
}

void apply_reduce(json& config) {
  if (!config.is_object() || !config.contains("reduce"))
    throw Error("--reduce: the config has no \"reduce\" section");
  const json edits = config.at("reduce");
  if (!edits.is_object()) throw Error("reduce: expected an object {PATH: VALUE, ...}");
  for (const auto& [path, value] : edits.items())
    set_at_path(config, path, value, "reduce." + path);
}

}  // namespace interplay::experiment
