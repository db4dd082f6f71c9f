#pragma once
// THEORY.md's assumptions as named predicates over a configuration. Whether a
// configuration is inside a statement's assumptions is *computed* from these
// (on the actual shape's partitions), never read from a list of names.
#include <functional>
#include <string>
#include <vector>

#include "proofs_check/config.hpp"

namespace interplay::proofs {

// Everything a predicate may look at: what the plugins do on this shape, and
// the variant.
struct ConfigView {
  const QuantizerFacts& quantizer;
  const SparsifierFacts& sparsifier;
  const Variant& variant;
};

struct Predicate {
  std::string id;   // "groups_inside_blocks"
  std::string doc;  // one line, as in THEORY.md
  std::function<bool(const ConfigView&)> holds;
};

const std::vector<Predicate>& all_predicates();
const Predicate& predicate(const std::string& id);  // throws Error for unknown ids

// Ids of the listed assumptions that fail (empty = inside the assumptions).
std::vector<std::string> failing_assumptions(const std::vector<std::string>& assumptions,
                                             const ConfigView& view);

}  // namespace interplay::proofs
