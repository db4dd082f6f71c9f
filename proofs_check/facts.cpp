#include "proofs_check/facts.hpp"

namespace interplay::proofs {
namespace {

std::string text(const json& p, const char* key, const std::string& fallback) {
  return p.contains(key) && p[key].is_string() ? p[key].get<std::string>() : fallback;
}
long long number(const json& p, const char* key, long long fallback) {
  return p.contains(key) && p[key].is_number() ? p[key].get<long long>() : fallback;
}

// Blocks of `size` along `axis`: the partition, and the shrinking period.
void add_blocks(const Shape& shape, int axis, std::size_t size, std::vector<Partition>& levels,
                std::vector<std::size_t>& period) {
  levels.push_back(axis_partition(shape, axis, size));
  if (size > 0 && !shape.empty()) period[normalize_axis(axis, shape.size())] = size;
}

}  // namespace

const char* scale_rule_name(ScaleRule r) {
  switch (r) {
    case ScaleRule::Constant:
      return "constant";
    case ScaleRule::Amax:
      return "amax";
    case ScaleRule::MinMax:
      return "min/max";
    case ScaleRule::Searched:
      return "mse-searched";
    case ScaleRule::Percentile:
      return "percentile";
    case ScaleRule::Unknown:
      return "unknown";
  }
  return "unknown";
}

const char* selection_name(Selection s) {
  switch (s) {
    case Selection::TopMagnitude:
      return "top-|x| per group";
    case Selection::Random:
      return "random";
    case Selection::Other:
      return "other";
  }
  return "other";
}

QuantizerFacts quantizer_facts(const std::string& plugin, const json& p, const Shape& shape) {
  QuantizerFacts f;
  f.period.assign(shape.size(), 0);
  f.rounding = parse_rounding(text(p, "rounding", "nearest_even"));
  const int axis = int(number(p, "axis", -1));
  if (plugin == "int") {
    const std::string clip = text(p, "clip", "amax"), scheme = text(p, "scheme", "symmetric");
    f.rule = clip == "mse"            ? ScaleRule::Searched
             : clip == "percentile"   ? ScaleRule::Percentile
             : scheme == "asymmetric" ? ScaleRule::MinMax
                                      : ScaleRule::Amax;
    const std::string g = text(p, "granularity", "channel");
    if (g == "tensor")
      f.levels.push_back(whole_partition(shape));
    else if (g == "channel")
      f.levels.push_back(channel_partition(shape, int(number(p, "channel_axis", 0))));
    else
      add_blocks(shape, axis, std::size_t(number(p, "block", 128)), f.levels, f.period);
  } else if (plugin == "fp") {
    const std::string scale = text(p, "scale", "none");
    f.rule = scale == "none" ? ScaleRule::Constant : ScaleRule::Amax;
    if (scale == "channel")
      f.levels.push_back(channel_partition(shape, int(number(p, "channel_axis", 0))));
    else
      f.levels.push_back(whole_partition(shape));
  } else if (plugin == "mx" || plugin == "hbfp") {
    f.rule = ScaleRule::Amax;
    add_blocks(shape, axis, std::size_t(number(p, "block", 32)), f.levels, f.period);
  } else if (plugin == "nvfp4") {
    // Block scale from the block amax and the tensor amax (two-level scaling).
    f.rule = ScaleRule::Amax;
    add_blocks(shape, axis, std::size_t(number(p, "block", 16)), f.levels, f.period);
    f.levels.push_back(whole_partition(shape));
  } else {
    f.rule = ScaleRule::Unknown;
    f.levels.push_back(whole_partition(shape));
  }
  return f;
}

SparsifierFacts sparsifier_facts(const std::string& plugin, const json& p, const Shape& shape) {
  SparsifierFacts f;
  f.period.assign(shape.size(), 0);
  const int axis = int(number(p, "axis", -1));
  if (plugin == "nm") {
    f.selection = Selection::TopMagnitude;
    const std::size_t m = std::size_t(number(p, "m", 4));
    f.groups = axis_partition(shape, axis, m);
    if (!shape.empty()) f.period[normalize_axis(axis, shape.size())] = m;
  } else if (plugin == "magnitude") {
    f.selection = Selection::TopMagnitude;
    f.groups = text(p, "scope", "tensor") == "row" ? axis_partition(shape, axis, 0)
                                                   : whole_partition(shape);
  } else {
    f.selection = plugin == "random" ? Selection::Random : Selection::Other;
    f.groups = whole_partition(shape);
  }
  return f;
}

}  // namespace interplay::proofs
