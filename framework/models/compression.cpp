#include "models/compression.hpp"

#include "core/error.hpp"

namespace interplay {

json LayerSelection::to_json() const {
  return {{"include_first", include_first},
          {"include_last", include_last},
          {"only", only},
          {"exclude", exclude}};
}

LayerSelection LayerSelection::from_json(const json& j, const std::string& where) {
  if (!j.is_object()) throw Error(at(where, "expected an object"));
  LayerSelection s;
  for (auto& [k, v] : j.items()) {
    const std::string path = where + "." + k;
    if (k == "include_first" || k == "include_last") {
      if (!v.is_boolean()) throw Error(at(path, "expected true or false, got " + v.dump()));
      (k == "include_first" ? s.include_first : s.include_last) = v.get<bool>();
    } else if (k == "only" || k == "exclude") {
      auto& list = k == "only" ? s.only : s.exclude;
      const json items = v.is_string() ? json::array({v}) : v;
      if (!items.is_array()) throw Error(at(path, "expected a pattern or a list of patterns"));
      for (const auto& p : items) {
        if (!p.is_string()) throw Error(at(path, "expected pattern strings, got " + p.dump()));
        list.push_back(p.get<std::string>());
      }
    } else {
      throw Error(
          at(where, "unknown key '" + k + "' (valid: include_first, include_last, only, exclude)"));
    }
  }
  return s;
}

bool path_matches(const std::string& pattern, const std::string& path) {
  // Iterative glob with '*' only: remember the last star to backtrack to.
  std::size_t p = 0, s = 0, star = std::string::npos, mark = 0;
  while (s < path.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = s;
    } else if (p < pattern.size() && pattern[p] == path[s]) {
      ++p, ++s;
    } else if (star != std::string::npos) {
      p = star + 1;
      s = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

std::vector<NamedMatmul> select_layers(Model& model, const LayerSelection& selection) {
  const std::vector<NamedMatmul> all = model.matmul_layers();
  std::vector<NamedMatmul> out;
  for (std::size_t i = 0; i < all.size(); ++i) {
    if (i == 0 && !selection.include_first) continue;
    if (i + 1 == all.size() && !selection.include_last) continue;
    auto matches = [&](const std::vector<std::string>& patterns) {
      for (const auto& p : patterns)
        if (path_matches(p, all[i].path)) return true;
      return false;
    };
    if (!selection.only.empty() && !matches(selection.only)) continue;
    if (matches(selection.exclude)) continue;
    out.push_back(all[i]);
  }
  return out;
}

FrozenPipeline::FrozenPipeline(const Pipeline& pipeline, const Tensor& weights)
    : pipeline_(pipeline) {
  Tensor cur = weights;
  for (const PipelineStep& step : pipeline.steps()) {
    masks_.emplace_back();
    if (step.kind == PipelineStep::Kind::Sparsify) {
      step.sparsifier->select(cur, masks_.back());
      if (kept_.empty()) kept_.assign(cur.size(), 1);
      for (std::size_t i = 0; i < cur.size(); ++i) kept_[i] &= masks_.back()[i];
    }
    step.apply(cur, cur);
  }
}

void FrozenPipeline::apply(const Tensor& weights, Tensor& out) const {
  out = weights;
  const auto& steps = pipeline_.steps();
  for (std::size_t k = 0; k < steps.size(); ++k) {
    if (steps[k].kind == PipelineStep::Kind::Sparsify) {
      const std::vector<std::uint8_t>& keep = masks_[k];
      if (keep.size() != out.size())
        throw Error("frozen pipeline applied to a tensor of another size");
      for (std::size_t i = 0; i < out.size(); ++i) out.data[i] = keep[i] ? out.data[i] : 0.0f;
    } else {
      steps[k].apply(out, out);
    }
  }
}

void compress_weights(Model& model, const Pipeline& pipeline, const LayerSelection& selection,
                      std::shared_ptr<const Quantizer> input_quantizer) {
  for (auto& [path, layer] : select_layers(model, selection)) {
    Tensor w = pipeline.apply(layer->weight_matrix());
    layer->weight().value.data = std::move(w.data);
    layer->input_quantizer = input_quantizer;
  }
}

}  // namespace interplay
