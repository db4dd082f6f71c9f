#pragma once
// Shrinking, as property-based testing tools do it: reduce a failing sample
// to a minimal one that still fails. First the fewest elements (delete whole
// groups/blocks along each axis, then trailing positions), then the simplest
// values (zero, fewest significant bits, a power-of-two rescale to small
// integers), repeated until nothing changes. `still_fails` decides; it must
// also reject samples that leave the original configuration's label (the
// caller checks the assumptions on the new shape).
#include <functional>
#include <vector>

#include "proofs_check/sample.hpp"

namespace interplay::proofs {

using StillFails = std::function<bool(const Sample&)>;

struct ShrinkOptions {
  // periods[d]: lengths of the structures (groups, blocks) running along axis
  // d. Deletions along d remove whole multiples of every period shorter than
  // the axis, so no group or block changes its members except by truncation.
  std::vector<std::vector<std::size_t>> periods;
  std::size_t max_evaluations = 4000;
};

struct ShrinkResult {
  Sample sample;
  std::size_t evaluations = 0;
  bool budget_exhausted = false;
};

ShrinkResult shrink(Sample failing, const ShrinkOptions& options, const StillFails& still_fails);

// Building blocks, exposed for tests.
Sample erase_along(const Sample& s, std::size_t axis, std::size_t start, std::size_t count);
// |v| rounded to `bits` significant bits (nearest), sign kept.
float with_significant_bits(float v, int bits);

}  // namespace interplay::proofs
