#include "experiment/sweep.hpp"

#include <cmath>
#include <cstdio>
#include <limits>
#include <map>

#include "core/error.hpp"
#include "core/rng.hpp"
#include "core/suggest.hpp"
#include "experiment/config.hpp"
#include "experiment/json_path.hpp"
#include "models/model_input.hpp"

namespace interplay::experiment {
namespace {

const std::vector<std::string> kOrders{"S", "Q", "S->Q", "Q->S"};

// A pipeline variant before it is crossed with inputs.
struct Variant {
  std::string sparsity, format, order;
  json swept = json::object();
  json steps;
  std::string path;
};

json prefixed(const json& swept, const std::string& prefix) {
  json out = json::object();
  for (const auto& [k, v] : swept.items()) out[prefix + "." + k] = v;
  return out;
}

std::vector<Variant> variants(const SweepSpec& s) {
  auto has = [&](const std::string& o) {
    return std::find(s.orders.begin(), s.orders.end(), o) != s.orders.end();
  };
  std::vector<Variant> out;
  if (has("S"))
    for (const auto& sp : s.sparsity)
      out.push_back(
          {sp.label, "", "S", prefixed(sp.swept, "sparsity"), json::array({sp.step}), sp.path});
  if (has("Q"))
    for (const auto& q : s.formats)
      out.push_back({"", q.label, "Q", prefixed(q.swept, "format"), json::array({q.step}), q.path});
  auto pair = [&](const StepChoice& sp, const StepChoice& q) {
    json swept = prefixed(sp.swept, "sparsity");
    swept.update(prefixed(q.swept, "format"));
    if (has("S->Q"))
      out.push_back({sp.label, q.label, "S->Q", swept, json::array({sp.step, q.step}), q.path});
    if (has("Q->S"))
      out.push_back({sp.label, q.label, "Q->S", swept, json::array({q.step, sp.step}), q.path});
  };
  if (s.zip_pairs) {
    for (std::size_t i = 0; i < s.sparsity.size(); ++i) pair(s.sparsity[i], s.formats[i]);
  } else {
    for (const auto& sp : s.sparsity)
      for (const auto& q : s.formats) pair(sp, q);
  }
  for (const auto& c : s.pipelines)
    out.push_back({"", "", c.label, json::object(), c.steps, c.path});
  return out;
}

}  // namespace

std::string activation_label(const Point& p, const ExperimentConfig& cfg) {
  if (p.activation) return cfg.activations[*p.activation].name;
  const InputInstance& in = cfg.inputs[p.input];
  return in.model_layer ? "captured" : in.own_activations ? "input's own" : "";
}

namespace {

// The point's value in a key column, for "exclude" matching.
json key_value(const Point& p, const ExperimentConfig& cfg, const std::string& column) {
  if (column == "input") return cfg.inputs[p.input].name;
  if (column == "seed") return cfg.inputs[p.input].seed ? json(*cfg.inputs[p.input].seed) : json();
  if (column == "activation") return activation_label(p, cfg);
  if (column == "sparsity") return p.sparsity;
  if (column == "format") return p.format;
  if (column == "order") return p.order;
  auto it = p.swept.find(column);
  return it == p.swept.end() ? json() : *it;
}

bool value_matches(const json& have, const json& want) {
  if (want.is_array()) {
    for (const auto& w : want)
      if (value_matches(have, w)) return true;
    return false;
  }
  if (have.is_number() && want.is_number()) return have.get<double>() == want.get<double>();
  return have == want;
}

// Bits per element of the pipeline's last quantizer over the tensors it is
// applied to (one for a tensor input, every selected weight matrix of a model
// input): total bits / total elements, every scale included.
double last_quantizer_bits(const Pipeline& p, const std::vector<Shape>& shapes) {
  const Quantizer* q = nullptr;
  for (const auto& s : p.steps())
    if (s.kind == PipelineStep::Kind::Quantize) q = s.quantizer.get();
  if (!q) return std::numeric_limits<double>::quiet_NaN();
  double bits = 0.0, elements = 0.0;
  for (const Shape& shape : shapes) {
    const double n = double(numel(shape));
    bits += q->bits_per_element(shape) * n, elements += n;
  }
  return elements > 0 ? bits / elements : std::numeric_limits<double>::quiet_NaN();
}

std::vector<Shape> compressed_shapes(const InputInstance& in) {
  return in.model ? model_input_weight_shapes(*in.model) : std::vector<Shape>{in.shape};
}

}  // namespace

SweepSpec parse_sweep(const json& sweep, const std::string& path) {
  check_object(sweep, path, {"sparsity", "formats", "orders", "pairing", "pipelines", "exclude"});
  SweepSpec s;
  if (const json* v = optional(sweep, "sparsity"))
    s.sparsity = expand_step_list(*v, child_path(path, "sparsity"), "sparsifier");
  if (const json* v = optional(sweep, "formats"))
    s.formats = expand_step_list(*v, child_path(path, "formats"), "quantizer");
  if (const json* v = optional(sweep, "pairing"))
    s.zip_pairs =
        as_choice(*v, child_path(path, "pairing"), {"product", "zip"}, "pairing") == "zip";
  if (s.zip_pairs && s.sparsity.size() != s.formats.size())
    throw Error(at(child_path(path, "pairing"),
                   "\"zip\" needs as many sparsity entries (" + std::to_string(s.sparsity.size()) +
                       ") as formats (" + std::to_string(s.formats.size()) + ")"));
  if (const json* v = optional(sweep, "orders")) {
    const std::string op = child_path(path, "orders");
    check_array(*v, op, true);
    for (std::size_t i = 0; i < v->size(); ++i) {
      const std::string o = as_choice((*v)[i], index_path(op, i), kOrders, "order");
      const bool need_s = o != "Q", need_q = o != "S";
      if ((need_s && s.sparsity.empty()) || (need_q && s.formats.empty()))
        throw Error(at(index_path(op, i),
                       "order '" + o + "' needs " +
                           (need_s && s.sparsity.empty() ? "sweep.sparsity" : "sweep.formats")));
    }
    for (const auto& o : kOrders)
      if (std::find(v->begin(), v->end(), json(o)) != v->end()) s.orders.push_back(o);
  } else {
    if (!s.sparsity.empty()) s.orders.push_back("S");
    if (!s.formats.empty()) s.orders.push_back("Q");
    if (!s.sparsity.empty() && !s.formats.empty())
      s.orders.insert(s.orders.end(), {"S->Q", "Q->S"});
  }
  if (const json* v = optional(sweep, "pipelines")) {
    const std::string pp = child_path(path, "pipelines");
    check_array(*v, pp);
    for (std::size_t i = 0; i < v->size(); ++i) {
      const std::string ep = index_path(pp, i);
      check_object((*v)[i], ep, {"label", "steps"});
      CustomPipeline c;
      c.label = as_string(required((*v)[i], ep, "label"), child_path(ep, "label"));
      if (std::find(kOrders.begin(), kOrders.end(), c.label) != kOrders.end())
        throw Error(
            at(child_path(ep, "label"), "'" + c.label + "' is reserved for the S/Q orders"));
      c.steps = required((*v)[i], ep, "steps");
      c.path = ep;
      Pipeline::from_json(json{{"steps", c.steps}}, ep);  // validates
      s.pipelines.push_back(std::move(c));
    }
  }
  if (s.orders.empty() && s.pipelines.empty())
    throw Error(at(path, "nothing to run: give sparsity and/or formats, or pipelines"));
  if (const json* v = optional(sweep, "exclude")) {
    check_array(*v, child_path(path, "exclude"));
    s.exclude = *v;
  }
  return s;
}

std::string stable_id(const json& canonical) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : canonical.dump()) h = (h ^ c) * 0x100000001b3ULL;
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(mix64(h)));
  return buf;
}

std::vector<Point> expand_points(const ExperimentConfig& cfg) {
  const SweepSpec& s = cfg.sweep;
  const std::vector<Variant> vars = variants(s);
  // One built pipeline per variant, shared by every input.
  std::vector<std::shared_ptr<const Pipeline>> built;
  for (const auto& v : vars)
    built.push_back(
        std::make_shared<const Pipeline>(Pipeline::from_json(json{{"steps", v.steps}}, v.path)));

  std::vector<std::optional<std::size_t>> acts;
  if (cfg.activations.empty()) acts.push_back(std::nullopt);
  for (std::size_t a = 0; a < cfg.activations.size(); ++a) acts.push_back(a);

  std::vector<Point> all;
  const std::vector<std::optional<std::size_t>> no_acts{std::nullopt};
  std::vector<std::vector<Shape>> shapes;
  for (const auto& in : cfg.inputs) shapes.push_back(compressed_shapes(in));
  for (std::size_t in = 0; in < cfg.inputs.size(); ++in)
    // A model, a model layer and an input naming its own activations bring their own data.
    for (const auto& act :
         cfg.inputs[in].model || cfg.inputs[in].has_own_activations() ? no_acts : acts)
      for (std::size_t v = 0; v < vars.size(); ++v) {
        Point p;
        p.input = in, p.activation = act;
        p.sparsity = vars[v].sparsity, p.format = vars[v].format, p.order = vars[v].order;
        p.swept = vars[v].swept;
        p.pipeline = built[v];
        p.bits_per_element = last_quantizer_bits(*built[v], shapes[in]);
        const json canonical{{"input", cfg.inputs[in].spec},
                             {"activation", act ? cfg.activations[*act].spec : json()},
                             {"pipeline", built[v]->to_json()},
                             {"metrics", cfg.metrics_spec}};
        p.id = stable_id(canonical);
        all.push_back(std::move(p));
      }

  // Exclusions: every key must be a column, and every entry must match something.
  std::vector<std::string> keys{"input", "seed", "activation", "sparsity", "format", "order"};
  for (const auto& p : all)
    for (const auto& [k, v] : p.swept.items())
      if (std::find(keys.begin(), keys.end(), k) == keys.end()) keys.push_back(k);
  const std::string ep = "sweep.exclude";
  std::vector<bool> used(s.exclude.size(), false);
  for (std::size_t e = 0; e < s.exclude.size(); ++e) {
    const std::string p = index_path(ep, e);
    check_object(s.exclude[e], p, keys);
    if (s.exclude[e].empty()) throw Error(at(p, "an empty exclude entry would drop every point"));
  }
  std::vector<Point> kept;
  for (auto& p : all) {
    bool drop = false;
    for (std::size_t e = 0; e < s.exclude.size(); ++e) {
      bool match = true;
      for (const auto& [k, want] : s.exclude[e].items())
        match = match && value_matches(key_value(p, cfg, k), want);
      if (match) used[e] = true, drop = true;
    }
    if (!drop) kept.push_back(std::move(p));
  }
  for (std::size_t e = 0; e < used.size(); ++e)
    if (!used[e])
      throw Error(at(index_path(ep, e), "matches no point (check the names and values)"));
  if (kept.empty()) throw Error(at(ep, "every point is excluded"));

  std::map<std::string, std::size_t> seen;
  for (std::size_t i = 0; i < kept.size(); ++i) {
    kept[i].index = i;
    auto [it, fresh] = seen.emplace(kept[i].id, i);
    if (!fresh)
      throw Error("sweep: points " + std::to_string(it->second) + " and " + std::to_string(i) +
                  " are identical (same input, activations, pipeline and metrics)");
  }
  return kept;
}

}  // namespace interplay::experiment
