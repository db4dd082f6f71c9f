#include "core/pipeline.hpp"

#include <fstream>
#include <sstream>

#include "core/error.hpp"
#include "core/json_text.hpp"
#include "core/registry.hpp"

namespace interplay {

void PipelineStep::apply(const Tensor& in, Tensor& out) const {
  if (kind == Kind::Sparsify)
    sparsifier->sparsify(in, out);
  else
    quantizer->quantize(in, out);
}

json PipelineStep::to_json() const {
  json j = params;
  j[kind_name()] = plugin;
  return j;
}

static PipelineStep parse_step(const json& s, const std::string& where) {
  PipelineStep step;
  if (s.is_string()) return parse_step(json{{"quantizer", s}}, where);
  if (!s.is_object())
    throw Error(
        at(where, "a step must be an object like {\"quantizer\": \"mxfp4\"}, got " + s.dump()));
  const bool sp = s.contains("sparsifier"), qu = s.contains("quantizer");
  if (sp == qu) {
    // A bare name that is a known plugin or preset is accepted as shorthand.
    throw Error(at(where, "a step needs exactly one of \"sparsifier\" or \"quantizer\""));
  }
  const char* key = sp ? "sparsifier" : "quantizer";
  if (!s.at(key).is_string()) throw Error(at(where + "." + key, "expected a name string"));
  step.name = s.at(key).get<std::string>();
  if (sp) {
    auto b = sparsifiers().build(s, key, where);
    step.kind = PipelineStep::Kind::Sparsify;
    step.sparsifier = std::move(b.object);
    step.plugin = b.plugin, step.params = b.params;
  } else {
    auto b = quantizers().build(s, key, where);
    step.kind = PipelineStep::Kind::Quantize;
    step.quantizer = std::move(b.object);
    step.plugin = b.plugin, step.params = b.params;
  }
  return step;
}

Pipeline Pipeline::from_json(const json& spec, const std::string& where) {
  Pipeline p;
  if (spec.is_string()) {
    const std::string name = spec.get<std::string>();
    const bool is_s = sparsifiers().contains(name);
    p.steps_.push_back(parse_step(json{{is_s ? "sparsifier" : "quantizer", name}}, where));
    return p;
  }
  const json* steps = &spec;
  std::string path = where;
  if (spec.is_object() && spec.contains("steps")) {
    for (auto& [k, v] : spec.items())
      if (k != "steps") throw Error(at(where, "unknown key '" + k + "' (valid: steps)"));
    steps = &spec.at("steps");
    path = where + ".steps";
  } else if (spec.is_object()) {
    p.steps_.push_back(parse_step(spec, where));
    return p;
  }
  if (!steps->is_array()) throw Error(at(path, "expected a list of steps"));
  for (std::size_t i = 0; i < steps->size(); ++i)
    p.steps_.push_back(parse_step((*steps)[i], path + "[" + std::to_string(i) + "]"));
  return p;
}

Pipeline Pipeline::from_text(const std::string& text) {
  const auto first = text.find_first_not_of(" \t\n");
  if (first != std::string::npos && (text[first] == '{' || text[first] == '[')) {
    return from_json(parse_json(text, "--pipeline"), "--pipeline");
  }
  std::ifstream f(text);
  if (f) {
    std::stringstream ss;
    ss << f.rdbuf();
    return from_json(parse_json(ss.str(), text), text);
  }
  if (quantizers().contains(text) || sparsifiers().contains(text))
    return from_json(json(text), "--pipeline");
  std::vector<std::string> names = quantizers().names();
  for (auto& n : sparsifiers().names()) names.push_back(n);
  throw Error("--pipeline: '" + text + "' is neither JSON, a readable file, nor " +
              unknown_name_message("plugin", text, names).substr(8));
}

std::string Pipeline::label() const {
  std::string s;
  for (std::size_t i = 0; i < steps_.size(); ++i) s += (i ? " -> " : "") + steps_[i].name;
  return s.empty() ? "identity" : s;
}

json Pipeline::to_json() const {
  json steps = json::array();
  for (const auto& s : steps_) steps.push_back(s.to_json());
  return json{{"steps", steps}};
}

std::vector<Tensor> Pipeline::run_prefixes(const Tensor& x) const {
  std::vector<Tensor> outs(steps_.size());
  const Tensor* prev = &x;
  for (std::size_t i = 0; i < steps_.size(); ++i) {
    steps_[i].apply(*prev, outs[i]);
    prev = &outs[i];
  }
  return outs;
}

Tensor Pipeline::apply(const Tensor& x) const {
  Tensor cur = x;
  for (const auto& s : steps_) s.apply(cur, cur);
  return cur;
}

MetricSet MetricSet::from_json(const json& spec, const std::string& where) {
  if (!spec.is_array()) throw Error(at(where, "expected a list of metrics"));
  MetricSet m;
  for (std::size_t i = 0; i < spec.size(); ++i) {
    const std::string path = where + "[" + std::to_string(i) + "]";
    json s = spec[i].is_string() ? json{{"metric", spec[i]}} : spec[i];
    if (!s.is_object() || !s.contains("metric") || !s.at("metric").is_string())
      throw Error(at(path, "expected a metric name or {\"metric\": name, ...}"));
    auto b = metrics().build(s, "metric", path);
    for (auto& c : b.object->columns()) m.columns_.push_back(c);
    m.metrics_.push_back(std::move(b.object));
  }
  return m;
}

MetricSet MetricSet::from_names(const std::string& comma_separated) {
  json names = json::array();
  std::stringstream ss(comma_separated);
  std::string item;
  while (std::getline(ss, item, ','))
    if (!item.empty()) names.push_back(item);
  return from_json(names, "--metrics");
}

std::vector<double> MetricSet::evaluate(const Tensor& reference, const Tensor& approx,
                                        const MetricContext& ctx) const {
  std::vector<double> out(columns_.size());
  std::size_t k = 0;
  for (const auto& m : metrics_) {
    m->evaluate(reference, approx, ctx, out.data() + k);
    k += m->columns().size();
  }
  return out;
}

}  // namespace interplay
