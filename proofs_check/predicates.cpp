#include "proofs_check/predicates.hpp"

#include "core/error.hpp"
#include "core/suggest.hpp"

namespace interplay::proofs {
namespace {

bool every_level(const ConfigView& v, bool (*test)(const Partition&, const Partition&)) {
  for (const auto& level : v.quantizer.levels)
    if (!test(v.sparsifier.groups, level)) return false;
  return true;
}

}  // namespace

const std::vector<Predicate>& all_predicates() {
  static const std::vector<Predicate> k{
      {"magnitude_sparsity",
       "the sparsifier keeps a top set by |x| in every group (ties: lower index)",
       [](const ConfigView& v) { return v.sparsifier.selection == Selection::TopMagnitude; }},
      {"scale_from_amax", "every block's scale is a function of its largest magnitude only",
       [](const ConfigView& v) {
         return v.quantizer.rule == ScaleRule::Amax || v.quantizer.rule == ScaleRule::Constant;
       }},
      {"partitions_nested",
       "sparsity groups and quantization blocks are nested (one refines the other) at every scale "
       "level",
       [](const ConfigView& v) {
         return every_level(v, [](const Partition& g, const Partition& b) { return nested(g, b); });
       }},
      {"groups_inside_blocks", "every sparsity group lies inside one quantization block",
       [](const ConfigView& v) { return every_level(v, refines); }},
      {"nearest_rounding", "deterministic round-to-nearest (nearest_even or nearest_away)",
       [](const ConfigView& v) {
         return v.quantizer.rounding == Rounding::NearestEven ||
                v.quantizer.rounding == Rounding::NearestAway;
       }},
      {"phi_convex", "phi is convex and nondecreasing with phi(0) = 0 (L_p^p, p >= 1)",
       [](const ConfigView& v) { return v.variant.phi && phi_info(*v.variant.phi).convex; }},
      {"covariance_isotropic", "the activation covariance is c*I",
       [](const ConfigView& v) { return v.variant.cov == Covariance::Isotropic; }},
  };
  return k;
}

const Predicate& predicate(const std::string& id) {
  std::vector<std::string> ids;
  for (const auto& p : all_predicates()) {
    if (p.id == id) return p;
    ids.push_back(p.id);
  }
  throw Error(unknown_name_message("assumption", id, ids));
}

std::vector<std::string> failing_assumptions(const std::vector<std::string>& assumptions,
                                             const ConfigView& view) {
  std::vector<std::string> failing;
  for (const auto& id : assumptions)
    if (!predicate(id).holds(view)) failing.push_back(id);
  return failing;
}

}  // namespace interplay::proofs
