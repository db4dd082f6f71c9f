#include "core/pipeline.hpp"

#include <fstream>
#include <sstream>

#include "calibration/obs.hpp"
#include "core/error.hpp"
#include "core/json_text.hpp"
#include "core/registry.hpp"

namespace interplay {

void PipelineStep::apply(const Tensor& in, Tensor& out) const {
  CalibrationContext ctx;
  ctx.where = where;
  apply(in, out, ctx);
}

bool PipelineStep::needs_calibration() const {
  if (kind == Kind::Sparsify) return sparsifier->needs_calibration();
  return calib::solver_of(params) != calib::Solver::Rtn;
}

void PipelineStep::apply(const Tensor& in, Tensor& out, const CalibrationContext& ctx) const {
  if (needs_calibration()) {
    if (!ctx.data) {
      const std::string what =
          kind == Kind::Quantize ? " with solver " + params.value("solver", std::string()) : "";
      throw Error(at(where, std::string(kind_name()) + " '" + name + "'" + what +
                                " needs calibration data (compress --calibration X or --hessian H)"));
    }
    ctx.data->check(in.shape, where);
  }
  if (kind == Kind::Sparsify) {
    if (sparsifier->needs_calibration()) return sparsifier->sparsify_calibrated(in, out, ctx);
    return sparsifier->sparsify(in, out);
  }
  if (!needs_calibration()) return quantizer->quantize(in, out);
  // Format x solver: the quantizer's own grid and scale rule, seen through its
  // codec, inside the OBS column solver.
  std::unique_ptr<GroupCodec> codec = quantizer->codec(in.shape, where);
  if (!codec)
    throw Error(at(where, "quantizer '" + plugin + "' does not support calibrated solvers"));
  if (calib::solver_of(params) == calib::Solver::Obc) {
    Tensor w = in;
    calib::solve_obq(w, ctx.data->hessian(), *codec, calib::solver_options(params), where);
    out = std::move(w);
    return;
  }
  calib::Problem p;
  p.codec = codec.get();
  p.held_zero = ctx.held_zero;
  p.options = calib::solver_options(params);
  p.where = where;
  Tensor w = in;
  calib::solve(w, ctx.data->hessian(), p);
  out = std::move(w);
}

json PipelineStep::to_json() const {
  json j = params;
  // Solver parameters at their defaults are left out, so a data-free step
  // keeps the canonical form (and experiment point ids) it had before
  // solvers existed; re-parsing fills them in again.
  if (kind == Kind::Quantize)
    for (const auto& spec : calib::solver_param_specs()) {
      const auto it = j.find(spec.name);
      if (it != j.end() && *it == spec.default_value) j.erase(it);
    }
  j[kind_name()] = plugin;
  return j;
}

static PipelineStep parse_step(const json& s, const std::string& where) {
  PipelineStep step;
  if (s.is_string()) return parse_step(json{{"quantizer", s}}, where);
  if (!s.is_object())
    throw Error(
        at(where, "a step must be an object like {\"quantizer\": \"mxfp4\"}, got " + s.dump()));
  // A sparsifier step may carry a nested "quantizer" (sparsegpt's joint pass).
  const bool sp = s.contains("sparsifier"), qu = !sp && s.contains("quantizer");
  if (sp == qu) {
    // A bare name that is a known plugin or preset is accepted as shorthand.
    throw Error(at(where, "a step needs exactly one of \"sparsifier\" or \"quantizer\""));
  }
  const char* key = sp ? "sparsifier" : "quantizer";
  if (!s.at(key).is_string()) throw Error(at(where + "." + key, "expected a name string"));
  step.name = s.at(key).get<std::string>();
  step.where = where;
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

bool Pipeline::needs_calibration() const {
  for (const auto& s : steps_)
    if (s.needs_calibration()) return true;
  return false;
}

namespace {

// The order context of calibrated steps: which weights earlier sparsifier
// steps pruned (held at zero by later solvers: S->Q) and whether the input
// comes from a quantizer (Q->S).
struct OrderContext {
  std::vector<std::uint8_t> held;
  bool enabled = false;  // only calibrated pipelines pay for the held-zero pass
  bool any_held = false, after_quantizer = false;

  CalibrationContext for_step(const PipelineStep& s, const Calibration* c) const {
    CalibrationContext ctx;
    ctx.data = c;
    ctx.after_quantizer = after_quantizer;
    ctx.held_zero = any_held ? &held : nullptr;
    ctx.where = s.where;
    return ctx;
  }
  void after(const PipelineStep& s, const Tensor& out) {
    if (!enabled) return;
    if (s.kind == PipelineStep::Kind::Quantize) {
      after_quantizer = true;
      return;
    }
    held.resize(out.size(), 0);
    for (std::size_t i = 0; i < out.size(); ++i)
      if (out.data[i] == 0.0f) held[i] = 1;
    any_held = true;
  }
};

}  // namespace

std::vector<Tensor> Pipeline::run_prefixes(const Tensor& x, const Calibration* calibration) const {
  std::vector<Tensor> outs(steps_.size());
  const Tensor* prev = &x;
  OrderContext order;
  order.enabled = needs_calibration();
  for (std::size_t i = 0; i < steps_.size(); ++i) {
    steps_[i].apply(*prev, outs[i], order.for_step(steps_[i], calibration));
    order.after(steps_[i], outs[i]);
    prev = &outs[i];
  }
  return outs;
}

Tensor Pipeline::apply(const Tensor& x, const Calibration* calibration) const {
  Tensor cur = x;
  OrderContext order;
  order.enabled = needs_calibration();
  for (const auto& s : steps_) {
    s.apply(cur, cur, order.for_step(s, calibration));
    order.after(s, cur);
  }
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
