#include "proofs_check/verdict.hpp"

#include <algorithm>

namespace interplay::proofs {
namespace {

// Prefer the counterexample with the fewest elements.
void keep_smaller(const Counterexample*& slot, const std::optional<Counterexample>& c) {
  if (c && (!slot || c->x.size() < slot->x.size())) slot = &*c;
}

}  // namespace

const char* verdict_text(Verdict v) {
  switch (v) {
    case Verdict::Holds:
      return "holds within assumptions";
    case Verdict::WitnessFound:
      return "witness found";
    case Verdict::ViolatedInside:
      return "VIOLATED within assumptions";
    case Verdict::NoWitness:
      return "NO WITNESS found";
    case Verdict::NotRun:
      return "not run (no configuration inside the assumptions)";
    case Verdict::Skipped:
      return "not run (model level: needs --model FILE)";
  }
  return "?";
}

bool verdict_passes(Verdict v) {
  return v == Verdict::Holds || v == Verdict::WitnessFound || v == Verdict::Skipped;
}

StatementReport summarize(const Statement& s, std::vector<ConfigResult> configs) {
  StatementReport r;
  r.statement = &s;
  r.configs = std::move(configs);
  for (const auto& a : s.assumptions) r.evidence.push_back({a});
  for (const ConfigResult& c : r.configs) {
    const std::string variant = c.variant.label();
    if (c.inside()) {
      ++r.inside;
      r.inside_violating += c.found;
      r.inside_random_by_variant[variant] += c.random;
      r.inside_weights_by_variant[variant] += c.weights;
      for (const auto& [g, t] : c.random_by_generator) r.inside_by_generator[variant][g] += t;
      if (!c.found) r.inside_without_violation.push_back(&c);
      if (s.kind == Kind::Exists) {
        bool& w = r.witness_by_quantizer[c.config.quantizer_label];
        w = w || c.found;
        auto& variants = r.witness_variants_by_quantizer[c.config.quantizer_label];
        if (c.found) variants.insert(variant);
      }
      keep_smaller(r.inside_example, c.counterexample);
      continue;
    }
    ++r.outside;
    r.outside_violating += c.found;
    r.outside_random_by_variant[variant] += c.random;
    r.outside_weights_by_variant[variant] += c.weights;
    for (const auto& [g, t] : c.random_by_generator) r.outside_by_generator[variant][g] += t;
    for (AssumptionEvidence& e : r.evidence) {
      if (std::find(c.failing.begin(), c.failing.end(), e.assumption) == c.failing.end()) continue;
      ++e.configs;
      e.violating += c.found;
      const bool sole = c.failing.size() == 1;
      e.sole_configs += sole;
      e.sole_violating += sole && c.found;
      // A sole-failure counterexample is the sharper evidence: prefer it.
      const bool example_is_sole = e.example && e.example->failing.size() == 1;
      if (sole && !example_is_sole && c.counterexample)
        e.example = &*c.counterexample;
      else if (sole == example_is_sole || !e.example)
        keep_smaller(e.example, c.counterexample);
    }
  }
  if (r.inside == 0)
    r.verdict = Verdict::NotRun;
  else if (s.kind == Kind::ForAll)
    r.verdict = r.inside_violating ? Verdict::ViolatedInside : Verdict::Holds;
  else if (s.witness_per_quantizer)
    r.verdict = std::all_of(r.witness_by_quantizer.begin(), r.witness_by_quantizer.end(),
                            [](const auto& kv) { return kv.second; })
                    ? Verdict::WitnessFound
                    : Verdict::NoWitness;
  else
    r.verdict = r.inside_violating ? Verdict::WitnessFound : Verdict::NoWitness;
  return r;
}

StatementReport summarize_model(const Statement& s, std::size_t pairs, std::size_t witnesses,
                                bool ran) {
  StatementReport r;
  r.statement = &s;
  r.inside = pairs;
  r.inside_violating = witnesses;
  r.verdict = !ran ? Verdict::Skipped : witnesses ? Verdict::WitnessFound : Verdict::NoWitness;
  return r;
}

}  // namespace interplay::proofs
