// The machine-readable report: every statement, configuration and
// counterexample (values and configuration, enough to replay).
#include "core/error.hpp"
#include "core/version.hpp"
#include "proofs_check/predicates.hpp"
#include "proofs_check/report.hpp"

namespace interplay::proofs {
namespace {

json tally_json(const Tally& t) {
  return {{"samples", t.samples},
          {"units", t.units},
          {"violating_samples", t.violating_samples},
          {"violating_units", t.violating_units},
          {"rate", t.rate()}};
}

json budget_json(const Budget& b) {
  return {{"random_trials", b.random_trials},         {"tie_trials", b.tie_trials},
          {"enumeration_limit", b.enumeration_limit}, {"find_steps", b.find_steps},
          {"adversarial_steps", b.adversarial_steps}, {"shrink_evaluations", b.shrink_evaluations}};
}

json generator_tallies_json(const std::map<std::string, Tally>& m) {
  json j = json::object();
  for (const auto& [g, t] : m) j[g] = tally_json(t);
  return j;
}

json config_json(const ConfigResult& c) {
  json j{{"id", c.config.id()},
         {"case", c.config.to_json()},
         {"variant", c.variant.to_json()},
         {"inside", c.inside()},
         {"failing_assumptions", c.failing},
         {"trials",
          {{"random", tally_json(c.random)},
           {"weights", tally_json(c.weights)},
           {"random_by_generator", generator_tallies_json(c.random_by_generator)},
           {"constructed", tally_json(c.constructed)},
           {"exhaustive", tally_json(c.exhaustive)},
           {"search", tally_json(c.search)}}},
         {"samples", c.total().samples},
         {"violating_samples", c.total().violating_samples},
         {"found", c.found}};
  j["max"] = c.has_worst ? measurement_json(c.worst) : json(nullptr);
  j["counterexample"] = c.counterexample ? c.counterexample->to_json() : json(nullptr);
  return j;
}

json statement_json(const StatementReport& s) {
  json assumptions = json::array();
  for (const auto& a : s.statement->assumptions)
    assumptions.push_back({{"id", a}, {"doc", predicate(a).doc}});
  json evidence = json::array();
  for (const auto& e : s.evidence)
    evidence.push_back({{"assumption", e.assumption},
                        {"configs", e.configs},
                        {"violating", e.violating},
                        {"sole_configs", e.sole_configs},
                        {"sole_violating", e.sole_violating}});
  json inside_rates = json::object(), outside_rates = json::object();
  for (const auto& [v, t] : s.inside_random_by_variant) inside_rates[v] = tally_json(t);
  for (const auto& [v, t] : s.outside_random_by_variant) outside_rates[v] = tally_json(t);
  json inside_weights = json::object(), outside_weights = json::object();
  for (const auto& [v, t] : s.inside_weights_by_variant) inside_weights[v] = tally_json(t);
  for (const auto& [v, t] : s.outside_weights_by_variant) outside_weights[v] = tally_json(t);
  json inside_gen = json::object(), outside_gen = json::object();
  for (const auto& [v, by] : s.inside_by_generator)
    for (const auto& [g, t] : by) inside_gen[v][g] = tally_json(t);
  for (const auto& [v, by] : s.outside_by_generator)
    for (const auto& [g, t] : by) outside_gen[v][g] = tally_json(t);
  json configs = json::array();
  for (const auto& c : s.configs) configs.push_back(config_json(c));
  return {{"id", s.statement->id},
          {"claim", s.statement->claim},
          {"quantity", s.statement->quantity},
          {"tolerance", s.statement->tolerance},
          {"breaks_when", s.statement->breaks_when},
          {"kind", kind_name(s.statement->kind)},
          {"assumptions", assumptions},
          {"verdict", verdict_text(s.verdict)},
          {"passes", verdict_passes(s.verdict)},
          {"inside_configs", s.inside},
          {"inside_violating", s.inside_violating},
          {"outside_configs", s.outside},
          {"outside_violating", s.outside_violating},
          {"evidence", evidence},
          {"witness_by_quantizer", s.witness_by_quantizer},
          {"witness_variants_by_quantizer", s.witness_variants_by_quantizer},
          {"random_rate_inside", inside_rates},
          {"random_rate_outside", outside_rates},
          {"weights_rate_inside", inside_weights},
          {"weights_rate_outside", outside_weights},
          {"random_rate_inside_by_generator", inside_gen},
          {"random_rate_outside_by_generator", outside_gen},
          {"configs", configs}};
}

json interval_json(const stats::Interval& i) {
  return {{"mean", i.mean}, {"lo", i.lo}, {"hi", i.hi}, {"call", stats::call_text(stats::call(i))}};
}

json calls_json(const ModelCheckReport& m, bool s_first) {
  return {{"above", m.count_loss(s_first, stats::Call::SignificantAbove)},
          {"below", m.count_loss(s_first, stats::Call::SignificantBelow)},
          {"inconclusive", m.count_loss(s_first, stats::Call::Inconclusive)}};
}

json model_json(const ModelCheckReport& m) {
  json pairs = json::array();
  for (const M1Pair& p : m.pairs)
    pairs.push_back(
        {{"model", p.model},
         {"quantizer", p.quantizer},
         {"sparsifier", p.sparsifier},
         {"loss",
          {{"dense", p.loss0},
           {"S", p.loss_s},
           {"Q", p.loss_q},
           {"S->Q", p.loss_sq},
           {"Q->S", p.loss_qs},
           {"threshold", p.loss_threshold()}}},
         {"accuracy",
          {{"dense", p.acc0},
           {"S", p.acc_s},
           {"Q", p.acc_q},
           {"S->Q", p.acc_sq},
           {"Q->S", p.acc_qs},
           {"threshold", p.acc_threshold()}}},
         {"loss_gap", {{"S->Q", p.loss_gap(true)}, {"Q->S", p.loss_gap(false)}}},
         {"accuracy_gap", {{"S->Q", p.acc_gap(true)}, {"Q->S", p.acc_gap(false)}}},
         {"loss_tolerance", p.loss_tolerance()},
         {"loss_gap_ci",
          {{"S->Q", interval_json(p.loss_gap_ci[0])}, {"Q->S", interval_json(p.loss_gap_ci[1])}}},
         {"accuracy_gap_ci",
          {{"S->Q", interval_json(p.acc_gap_ci[0])}, {"Q->S", interval_json(p.acc_gap_ci[1])}}},
         {"order_gap_ci", interval_json(p.order_gap_ci)}});
  return {{"test_images", m.test_images},
          {"seconds", m.seconds},
          {"non_orthogonal_s_first", m.non_orthogonal(true)},
          {"non_orthogonal_q_first", m.non_orthogonal(false)},
          {"s_first_better", m.s_first_better()},
          {"resamples", m.resamples},
          {"loss_gap_calls", {{"S->Q", calls_json(m, true)}, {"Q->S", calls_json(m, false)}}},
          {"order_calls",
           {{"S->Q better", m.count_order(stats::Call::SignificantAbove)},
            {"Q->S better", m.count_order(stats::Call::SignificantBelow)},
            {"inconclusive", m.count_order(stats::Call::Inconclusive)}}},
          {"pairs", pairs}};
}

}  // namespace

json report_json(const RunReport& r) {
  json statements = json::array();
  for (const auto& s : r.statements) statements.push_back(statement_json(s));
  return {{"tool", "interplay prove"},
          {"command", r.options.command},
          {"weights", r.options.weights ? r.options.weights->name : std::string()},
          {"version", kVersion},
          {"commit", kGitCommit},
          {"mode", r.options.mode},
          {"seed", r.options.seed},
          {"budget", budget_json(r.options.budget)},
          {"main_shape", r.options.shape.main},
          {"cases", r.cases},
          {"threads", r.threads},
          {"seconds", r.seconds},
          {"passed", r.passed()},
          {"statements", statements},
          {"model", r.model ? model_json(*r.model) : json(nullptr)}};
}

std::vector<std::pair<std::string, Counterexample>> counterexamples_from_report(const json& j) {
  std::vector<std::pair<std::string, Counterexample>> out;
  if (!j.contains("statements") || !j["statements"].is_array())
    throw Error("not an `interplay prove --json` report (no \"statements\" list)");
  for (std::size_t s = 0; s < j["statements"].size(); ++s) {
    const json& configs = j["statements"][s].at("configs");
    for (std::size_t c = 0; c < configs.size(); ++c) {
      if (configs[c]["counterexample"].is_null()) continue;
      const std::string where =
          "statements[" + std::to_string(s) + "].configs[" + std::to_string(c) + "].counterexample";
      out.emplace_back(where, Counterexample::from_json(configs[c]["counterexample"], where));
    }
  }
  return out;
}

}  // namespace interplay::proofs
