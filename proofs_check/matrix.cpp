#include "proofs_check/matrix.hpp"

#include <algorithm>

#include "core/error.hpp"
#include "core/registry.hpp"
#include "core/suggest.hpp"

namespace interplay::proofs {
namespace {

bool selected(const std::vector<std::string>& filter, const std::string& name) {
  return filter.empty() || std::find(filter.begin(), filter.end(), name) != filter.end();
}

// Every filter entry must name something, so a typo is an error, not an empty run.
void check_filter(const std::vector<std::string>& filter, const std::vector<std::string>& valid,
                  const std::string& what) {
  for (const auto& f : filter)
    if (std::find(valid.begin(), valid.end(), f) == valid.end())
      throw Error(at("--" + what, unknown_name_message(what, f, valid)));
}

// What a matrix step is, in the plugin's own words (core/description.hpp).
SparsifierDescription described(const NamedStep& s) {
  return sparsifiers().build(s.step, "sparsifier", "--sparsifier").object->describe();
}

// The shape of the tiny enumerated case for a sparsity pattern: one group
// (one block of an N:M pattern, otherwise four elements).
Shape small_shape(const NamedStep& s) {
  const Partitioning g = described(s).groups;
  return Shape{1, g.kind == Partitioning::Kind::Blocks && g.size > 0 ? g.size : 4};
}

// The crossed layout turns the groups to axis 0. One group for the whole
// tensor has no axis (crossed would repeat nested), nor has a plugin without
// an `axis` parameter.
bool has_axis(const NamedStep& s) {
  const auto b = sparsifiers().build(s.step, "sparsifier", "--sparsifier");
  return b.object->describe().groups.kind != Partitioning::Kind::Tensor &&
         b.params.contains("axis");
}

// Stochastic cases set `rounding` and `seed`, which a plugin may not take.
bool takes_seeded_rounding(const NamedStep& q) {
  const json p = quantizers().build(q.step, "quantizer", "--quantizer").params;
  return p.contains("rounding") && p.contains("seed");
}

}  // namespace

std::uint64_t stable_hash(const std::string& s) {
  std::uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ULL;
  return h;
}

std::vector<NamedStep> matrix_quantizers() {
  std::vector<NamedStep> q;
  // Every preset and every plugin no preset names (nvfp4, a new plugin).
  for (const auto& name : quantizers().configurations()) q.push_back({name, {{"quantizer", name}}});
  // Probes of the assumptions: per-block INT (T2's necessity case), a scale
  // per tensor, and scale rules that are not a function of amax alone.
  q.push_back({"int4_block32",
               {{"quantizer", "int"}, {"bits", 4}, {"granularity", "group"}, {"block", 32}}});
  q.push_back({"int3_block32",
               {{"quantizer", "int"}, {"bits", 3}, {"granularity", "group"}, {"block", 32}}});
  q.push_back({"int8_tensor", {{"quantizer", "int8"}, {"granularity", "tensor"}}});
  q.push_back({"int4_mse", {{"quantizer", "int4"}, {"clip", "mse"}, {"mse_grid", 5}}});
  q.push_back(
      {"int4_percentile", {{"quantizer", "int4"}, {"clip", "percentile"}, {"percentile", 90.0}}});
  q.push_back({"int4_asymmetric", {{"quantizer", "int4"}, {"scheme", "asymmetric"}}});
  return q;
}

std::vector<NamedStep> matrix_sparsifiers(const std::vector<std::string>& requested) {
  const auto nm = [](int n, int m) {
    return NamedStep{std::to_string(n) + ":" + std::to_string(m),
                     {{"sparsifier", "nm"}, {"n", n}, {"m", m}}};
  };
  std::vector<NamedStep> out{
      nm(2, 4),
      nm(1, 4),
      nm(4, 8),
      {"unstructured50", {{"sparsifier", "magnitude"}, {"fraction", 0.5}, {"scope", "tensor"}}},
      {"row50", {{"sparsifier", "magnitude"}, {"fraction", 0.5}, {"scope", "row"}}}};
  // Any other sparsifier by name, at its defaults, when asked for: the
  // default matrix (and so the committed report) stays as it is.
  for (const auto& name : requested) {
    const bool known =
        std::any_of(out.begin(), out.end(), [&](const NamedStep& s) { return s.label == name; });
    if (known || !sparsifiers().contains(name)) continue;  // unknown: check_filter names it
    NamedStep step{name, {{"sparsifier", name}}};
    if (described(step).calibration)
      throw Error(at("--sparsifier", "sparsifier '" + name +
                                         "' needs calibration data, which prove does not have"));
    out.push_back(std::move(step));
  }
  return out;
}

std::vector<NamedStep> model_quantizers(const MatrixFilter& filter) {
  std::vector<NamedStep> out;
  for (auto& q : matrix_quantizers())
    if (selected(filter.quantizers, q.label)) out.push_back(std::move(q));
  return out;
}

std::vector<NamedStep> model_sparsifiers(const MatrixFilter& filter) {
  const std::vector<std::string> defaults{"2:4", "unstructured50"};
  std::vector<NamedStep> out;
  for (auto& s : matrix_sparsifiers(filter.sparsifiers))
    if (selected(filter.sparsifiers.empty() ? defaults : filter.sparsifiers, s.label))
      out.push_back(std::move(s));
  return out;
}

std::vector<Case> build_matrix(const MatrixShape& shape, const MatrixFilter& filter,
                               std::uint64_t seed) {
  const auto qs = matrix_quantizers();
  const auto ss = matrix_sparsifiers(filter.sparsifiers);
  std::vector<std::string> qnames, snames;
  for (const auto& q : qs) qnames.push_back(q.label);
  for (const auto& s : ss) snames.push_back(s.label);
  check_filter(filter.quantizers, qnames, "quantizer");
  check_filter(filter.sparsifiers, snames, "sparsifier");
  check_filter(filter.roundings, {"nearest_even", "stochastic"}, "rounding");
  check_filter(filter.layouts, {"nested", "crossed", "small"}, "layout");

  std::vector<Case> cases;
  for (const auto& q : qs) {
    if (!selected(filter.quantizers, q.label)) continue;
    const bool seeded = takes_seeded_rounding(q);
    for (const auto& s : ss) {
      if (!selected(filter.sparsifiers, s.label)) continue;
      for (const std::string rounding : {"nearest_even", "stochastic"}) {
        if (!selected(filter.roundings, rounding)) continue;
        if (rounding == "stochastic" && !seeded) continue;
        for (const std::string layout : {"nested", "crossed", "small"}) {
          if (!selected(filter.layouts, layout)) continue;
          if (layout == "small" && !shape.small) continue;
          if (layout == "crossed" && !has_axis(s)) continue;
          Case c;
          c.quantizer_label = q.label;
          c.quantizer = q.step;
          c.sparsifier_label = s.label;
          c.sparsifier = s.step;
          c.layout = layout;
          c.shape = layout == "small" ? small_shape(s) : shape.main;
          if (layout == "crossed") c.sparsifier["axis"] = 0;
          const std::uint64_t h =
              stable_hash(q.label + "|" + s.label + "|" + rounding + "|" + layout);
          c.seed = seed ^ h;
          if (rounding == "stochastic") {
            c.quantizer["rounding"] = "stochastic";
            c.quantizer["seed"] = h >> 12;  // within the seed parameter's range (< 2^53)
          }
          cases.push_back(std::move(c));
        }
      }
    }
  }
  return cases;
}

}  // namespace interplay::proofs
