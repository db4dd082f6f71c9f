#pragma once
// What a configured quantizer or sparsifier *is*, in the terms THEORY.md's
// assumptions are stated in: which partition its scales or groups follow,
// what the scale is a function of, how it rounds, how it selects. Derived
// from the plugin's own description (core/description.hpp) of its resolved
// parameters, materialised on a shape: no plugin is known here by name, so a
// preset, an override or a new plugin is described by what it says it does.
#include <string>
#include <vector>

#include "core/description.hpp"
#include "formats/rounding.hpp"
#include "proofs_check/partition.hpp"

namespace interplay::proofs {

enum class ScaleRule {
  Constant,    // no scale (unscaled element format): trivially amax-only
  Amax,        // a function of the block's largest magnitude only
  MinMax,      // asymmetric: min and max separately
  Searched,    // MSE grid search over clipping factors
  Percentile,  // a percentile of |x|
};
const char* scale_rule_name(ScaleRule r);

struct QuantizerFacts {
  ScaleRule rule = ScaleRule::Constant;
  Rounding rounding = Rounding::NearestEven;
  // Scale levels, finest first: an element's scale depends on its part in
  // every level (NVFP4: 16-blocks and the whole tensor).
  std::vector<Partition> levels;
  // Along which axis blocks of which length run (0 = none), for shrinking.
  std::vector<std::size_t> period;  // one entry per tensor axis
};

enum class Selection {
  TopMagnitude,  // keeps a top set by |x| in each group (ties: lower index)
  Random,        // seeded random mask
  Other,         // anything else (block-norm pruning, calibrated scores)
};
const char* selection_name(Selection s);

struct SparsifierFacts {
  Selection selection = Selection::Other;
  Partition groups;
  std::vector<std::size_t> period;
};

QuantizerFacts quantizer_facts(const QuantizerDescription& d, const Shape& shape);
SparsifierFacts sparsifier_facts(const SparsifierDescription& d, const Shape& shape);

}  // namespace interplay::proofs
