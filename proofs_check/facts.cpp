#include "proofs_check/facts.hpp"

namespace interplay::proofs {
namespace {

// A described partition on an actual shape; blocks along an axis also set
// that axis's shrinking period (delete whole blocks, never split one).
Partition materialise(const Partitioning& p, const Shape& shape, std::vector<std::size_t>& period) {
  switch (p.kind) {
    case Partitioning::Kind::Element:
      return singleton_partition(shape);
    case Partitioning::Kind::Tensor:
      return whole_partition(shape);
    case Partitioning::Kind::Channel:
      return channel_partition(shape, p.axis);
    case Partitioning::Kind::Blocks:
      if (p.size > 0 && !shape.empty()) period[normalize_axis(p.axis, shape.size())] = p.size;
      return axis_partition(shape, p.axis, p.size);
    case Partitioning::Kind::ColumnBlocks:
      return column_block_partition(shape, p.axis, p.size);
  }
  return whole_partition(shape);
}

ScaleRule rule_of(ScaleStatistic s) {
  switch (s) {
    case ScaleStatistic::None:
      return ScaleRule::Constant;
    case ScaleStatistic::Amax:
      return ScaleRule::Amax;
    case ScaleStatistic::MinMax:
      return ScaleRule::MinMax;
    case ScaleStatistic::Searched:
      return ScaleRule::Searched;
    case ScaleStatistic::Percentile:
      return ScaleRule::Percentile;
  }
  return ScaleRule::Constant;
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
  }
  return "constant";
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

QuantizerFacts quantizer_facts(const QuantizerDescription& d, const Shape& shape) {
  QuantizerFacts f;
  f.period.assign(shape.size(), 0);
  f.rounding = d.rounding;
  f.rule = rule_of(d.statistic);
  for (const ScaleLevel& level : d.scales)
    f.levels.push_back(materialise(level.parts, shape, f.period));
  // An unscaled format has one constant scale: the whole tensor.
  if (f.levels.empty()) f.levels.push_back(whole_partition(shape));
  return f;
}

SparsifierFacts sparsifier_facts(const SparsifierDescription& d, const Shape& shape) {
  SparsifierFacts f;
  f.period.assign(shape.size(), 0);
  // The theory's magnitude sparsity keeps a top set of single elements by |x|.
  const bool elements = d.unit.kind == Partitioning::Kind::Element;
  f.selection = d.score == SparsityScore::Magnitude && elements ? Selection::TopMagnitude
                : d.score == SparsityScore::Random              ? Selection::Random
                                                                : Selection::Other;
  f.groups = materialise(d.groups, shape, f.period);
  return f;
}

}  // namespace interplay::proofs
