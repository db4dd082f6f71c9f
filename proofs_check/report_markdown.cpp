// The markdown report: summary of verdicts, per statement the assumptions,
// the evidence for each assumption's necessity, rates, counterexamples
// (inline when small) and every configuration.
#include <algorithm>
#include <array>
#include <iomanip>
#include <map>
#include <sstream>

#include "core/version.hpp"
#include "proofs_check/generators.hpp"
#include "proofs_check/predicates.hpp"
#include "proofs_check/report.hpp"

namespace interplay::proofs {
namespace {

constexpr std::size_t kTopRates = 10;

std::string num(double v, int precision = 4) {
  std::ostringstream os;
  os << std::setprecision(precision) << v;
  return os.str();
}

std::string percent(const Tally& t) {
  if (!t.units) return "-";
  return std::to_string(t.violating_units) + "/" + std::to_string(t.units) + " (" +
         num(100 * t.rate(), 3) + "%)";
}

std::string example_text(const Counterexample& c) {
  return "`" + c.config.id() + "` [" + c.variant.label() + "], x = `" + inline_values(c.x, 16) +
         "`, value " + num(c.measurement.value, 6) + " (rel " + num(c.measurement.relative(), 4) +
         ")";
}

// Random-phase violation rates, one column per generator: a rate pooled over
// distributions would depend on the mix, not on the statement.
void rates_by_generator(std::ostringstream& md, const StatementReport& s) {
  std::vector<std::string> gens;
  for (const auto* m : {&s.inside_by_generator, &s.outside_by_generator})
    for (const auto& [v, by] : *m)
      for (const auto& [g, t] : by)
        if (std::find(gens.begin(), gens.end(), g) == gens.end()) gens.push_back(g);
  if (gens.empty()) return;
  // Synthetic distributions in generator order, real-weight crops last.
  std::vector<std::string> ordered;
  for (Distribution d : all_distributions())
    if (std::find(gens.begin(), gens.end(), distribution_name(d)) != gens.end())
      ordered.push_back(distribution_name(d));
  if (std::find(gens.begin(), gens.end(), "weights") != gens.end()) ordered.push_back("weights");
  md << "Violation rate on random samples per generator (`weights`: crops of the real weights; "
        "units are dot products for T4). Rates are never pooled over generators:\n\n"
     << "| variant | assumptions |";
  for (const auto& g : ordered) md << " " << g << " |";
  md << "\n|---|---|";
  for (std::size_t i = 0; i < ordered.size(); ++i) md << "---|";
  md << "\n";
  for (const auto& v : s.statement->variants)
    for (const bool inside : {true, false}) {
      const auto& m = inside ? s.inside_by_generator : s.outside_by_generator;
      const auto it = m.find(v.label());
      if (it == m.end()) continue;
      md << "| " << v.label() << " | " << (inside ? "inside" : "outside") << " |";
      for (const auto& g : ordered) {
        const auto t = it->second.find(g);
        md << " " << (t == it->second.end() ? std::string("-") : percent(t->second)) << " |";
      }
      md << "\n";
    }
  md << "\n";
}

void statement_section(std::ostringstream& md, const StatementReport& s) {
  const Statement& st = *s.statement;
  const bool exists = st.kind == Kind::Exists;
  md << "## " << st.id << ": " << st.claim << "\n\n";
  md << "- Kind: **" << kind_name(st.kind) << "**"
     << (st.witness_per_quantizer ? " (a witness for every quantizer)" : "") << "\n";
  md << "- Checked quantity: `" << st.quantity << "`\n";
  md << "- Tolerance: " << st.tolerance << "\n";
  md << "- Assumptions:\n";
  for (const auto& a : st.assumptions) md << "  - `" << a << "`: " << predicate(a).doc << "\n";
  md << "- Breaks when (THEORY.md): " << st.breaks_when << "\n\n";
  md << "**Verdict: " << verdict_text(s.verdict) << ".** Inside the assumptions: " << s.inside
     << " configurations, " << s.inside_violating << " with a "
     << (exists ? "witness" : "violation") << ". Outside: " << s.outside << " configurations, "
     << s.outside_violating << " with a violation.\n\n";
  if (s.inside_example)
    md << (exists ? "Smallest witness: " : "**Smallest violation inside the assumptions:** ")
       << example_text(*s.inside_example) << "\n\n";

  if (exists && st.witness_per_quantizer) {
    md << "| quantizer | witness inside the assumptions | in variants |\n|---|---|---|\n";
    for (const auto& [q, w] : s.witness_by_quantizer) {
      std::string variants;
      for (const auto& v : s.witness_variants_by_quantizer.at(q))
        variants += (variants.empty() ? "" : ", ") + v;
      md << "| " << q << " | " << (w ? "yes" : "**no**") << " | " << variants << " |\n";
    }
    md << "\n";
  }
  rates_by_generator(md, s);
  if (exists && !s.inside_without_violation.empty()) {
    md << "Configurations inside the assumptions where no witness was found:";
    for (const ConfigResult* c : s.inside_without_violation)
      md << " `" << c->config.id() << "` [" << c->variant.label() << "];";
    md << "\n\n";
  }

  // Where random samples fail most often: outside the assumptions for a
  // forall (how often the conclusion breaks), inside for an exists (how common
  // the phenomenon is).
  std::vector<const ConfigResult*> ranked;
  for (const auto& c : s.configs)
    if (c.random.units && c.inside() == exists) ranked.push_back(&c);
  std::stable_sort(ranked.begin(), ranked.end(), [](const ConfigResult* a, const ConfigResult* b) {
    return a->random.rate() > b->random.rate();
  });
  if (ranked.size() > kTopRates) ranked.resize(kTopRates);
  if (!ranked.empty() && ranked.front()->random.violating_units) {
    md << "Highest violation rates on random samples " << (exists ? "inside" : "outside")
       << " the assumptions:\n\n| configuration | variant | label | rate |\n|---|---|---|---|\n";
    for (const ConfigResult* c : ranked)
      md << "| " << c->config.id() << " | " << c->variant.label() << " | " << label_text(c->failing)
         << " | " << percent(c->random) << " |\n";
    md << "\n";
  }

  md << "Necessity of each assumption (configurations where it fails):\n\n";
  md << "| assumption | failing configs | with violation | only this one fails | with violation | "
        "counterexample |\n|---|---|---|---|---|---|\n";
  for (const auto& e : s.evidence)
    md << "| `" << e.assumption << "` | " << e.configs << " | " << e.violating << " | "
       << e.sole_configs << " | " << e.sole_violating << " | "
       << (e.example ? example_text(*e.example) : std::string("-")) << " |\n";
  md << "\n";

  // The smallest counterexample per quantizer and label; every one is in the JSON.
  std::size_t with_cex = 0;
  for (const auto& c : s.configs) with_cex += c.counterexample ? 1 : 0;
  md << "<details><summary>" << with_cex << " shrunk counterexamples"
     << (exists ? " / witnesses" : "")
     << " (the smallest per quantizer and label shown; all in the JSON)"
     << "</summary>\n\n| configuration (shrunk shape) | variant | label | original size | shrunk x "
        "| "
        "value | relative |\n|---|---|---|---|---|---|---|\n";
  for (const Counterexample* x : smallest_counterexamples(s))
    md << "| " << x->config.id() << " | " << x->variant.label() << " | " << label_text(x->failing)
       << " | " << x->original_numel << " | `" << inline_values(x->x, 16) << "` | "
       << num(x->measurement.value, 6) << " | " << num(x->measurement.relative()) << " |\n";
  md << "\n</details>\n\n";

  // Configurations with a violation, per quantizer and sparsity pattern,
  // split by label (layouts, roundings and variants pooled).
  std::vector<std::string> sparsity;
  std::map<std::string, std::map<std::string, std::array<std::size_t, 4>>> grid;
  for (const auto& c : s.configs) {
    if (std::find(sparsity.begin(), sparsity.end(), c.config.sparsifier_label) == sparsity.end())
      sparsity.push_back(c.config.sparsifier_label);
    auto& cell = grid[c.config.quantizer_label][c.config.sparsifier_label];
    const std::size_t k = c.inside() ? 0 : 2;
    cell[k] += c.found, ++cell[k + 1];
  }
  md << "<details><summary>Configurations with a " << (exists ? "witness" : "violation")
     << " per quantizer and sparsity (inside / outside the assumptions)</summary>\n\n| quantizer |";
  for (const auto& sp : sparsity) md << " " << sp << " |";
  md << "\n|---|";
  for (std::size_t i = 0; i < sparsity.size(); ++i) md << "---|";
  md << "\n";
  for (const auto& [q, row] : grid) {
    md << "| " << q << " |";
    for (const auto& sp : sparsity) {
      const auto it = row.find(sp);
      if (it == row.end()) {
        md << " - |";
        continue;
      }
      const auto& c = it->second;
      md << " in " << c[0] << "/" << c[1] << ", out " << c[2] << "/" << c[3] << " |";
    }
    md << "\n";
  }
  md << "\n</details>\n\n";
}

void model_section(std::ostringstream& md, const StatementReport& s,
                   const std::optional<ModelCheckReport>& m) {
  const Statement& st = *s.statement;
  md << "## " << st.id << ": " << st.claim << "\n\n";
  md << "- Checked quantity: `" << st.quantity << "`\n";
  md << "- Tolerance: " << st.tolerance << "\n\n";
  md << "**Verdict: " << verdict_text(s.verdict) << ".**";
  if (!m) {
    md << " Run with `--model FILE` (a model written by `interplay train`) to check it.\n\n";
    return;
  }
  using stats::Call;
  md << " Calls from 95 % paired-bootstrap intervals over the " << m->test_images
     << " test images (" << m->resamples
     << " resamples; per-example contrasts of the same images): a pair is a witness only when its "
        "loss gap is significantly above 0. Loss gap S->Q: "
     << m->count_loss(true, Call::SignificantAbove) << " above, "
     << m->count_loss(true, Call::SignificantBelow) << " below, "
     << m->count_loss(true, Call::Inconclusive)
     << " inconclusive; Q->S: " << m->count_loss(false, Call::SignificantAbove) << " above, "
     << m->count_loss(false, Call::SignificantBelow) << " below, "
     << m->count_loss(false, Call::Inconclusive)
     << " inconclusive; order (S->Q better / Q->S "
        "better / inconclusive): "
     << m->count_order(Call::SignificantAbove) << " / " << m->count_order(Call::SignificantBelow)
     << " / " << m->count_order(Call::Inconclusive) << " of " << m->pairs.size()
     << " pairs (every weight matrix compressed, first and last layers included; nearest "
        "rounding). Single trained model per file: the intervals cover test-image sampling, not "
        "training-seed variation.\n\n";
  const auto ci = [](const stats::Interval& i) {
    const std::string text = num(i.mean, 3) + " [" + num(i.lo, 3) + ", " + num(i.hi, 3) + "] " +
                             stats::call_text(stats::call(i));
    return stats::call(i) == stats::Call::SignificantAbove ? "**" + text + "**" : text;
  };
  md << "| model | quantizer | sparsity | loss dense / S / Q | loss S->Q / Q->S | threshold | "
        "gap S->Q [95 %] | gap Q->S [95 %] | order gap Q->S - S->Q [95 %] | accuracy S->Q / Q->S "
        "(threshold) |\n"
        "|---|---|---|---|---|---|---|---|---|---|\n";
  for (const M1Pair& p : m->pairs)
    md << "| " << p.model << " | " << p.quantizer << " | " << p.sparsifier << " | " << num(p.loss0)
       << " / " << num(p.loss_s) << " / " << num(p.loss_q) << " | " << num(p.loss_sq) << " / "
       << num(p.loss_qs) << " | " << num(p.loss_threshold()) << " | " << ci(p.loss_gap_ci[0])
       << " | " << ci(p.loss_gap_ci[1]) << " | " << ci(p.order_gap_ci) << " | "
       << num(100 * p.acc_sq, 4) << "% / " << num(100 * p.acc_qs, 4) << "% ("
       << num(100 * p.acc_threshold(), 4) << "%) |\n";
  md << "\n";
}

}  // namespace

std::string report_markdown(const RunReport& r) {
  std::ostringstream md;
  const Budget& b = r.options.budget;
  std::size_t configs = 0;
  for (const auto& s : r.statements) configs += s.configs.size();
  md << "# THEORY.md checked: `interplay prove --" << r.options.mode << "`\n\n";
  md << "Generated by interplay " << kVersion << " (commit " << kGitCommit << "), seed "
     << r.options.seed << ": " << r.cases << " cases (quantizer x sparsity x rounding x layout), "
     << configs << " statement configurations, " << num(r.seconds, 3) << " s on " << r.threads
     << " thread(s). Main shape " << shape_string(r.options.shape.main)
     << " (nested: groups and blocks along the last axis; crossed: groups along axis 0); "
        "`small` cases are one group, enumerated exhaustively.";
  if (r.options.weights)
    md << " Crops of the real weights `" << r.options.weights->name
       << "` are an extra random-sample generator next to the synthetic distributions.";
  md << "\n\n";
  if (!r.options.command.empty()) md << "Command: `" << r.options.command << "`\n\n";
  md << "Per case: " << b.random_trials
     << " random samples, rounded up to a multiple of the "
        "generators (";
  for (auto d : all_distributions()) md << distribution_name(d) << " ";
  md << (r.options.weights ? "weights " : "") << "in turn; rates are reported per generator), "
     << b.tie_trials
     << " tie-built samples (values at grid midpoints), exhaustive enumeration up to "
     << b.enumeration_limit
     << " tensors per step size (small cases), then per statement and variant a local search ("
     << b.find_steps << " steps while a violation or witness is still missing; "
     << b.adversarial_steps
     << " adversarial steps against a forall inside its assumptions) and shrinking (up to "
     << b.shrink_evaluations << " evaluations).\n\n";
  md << "Inside/outside labels are computed per configuration from the assumption predicates on "
        "the actual partitions (see proofs_check/predicates.cpp). A sample violates (or "
        "witnesses) only when the quantity exceeds its derived floating-point tolerance. "
        "Counterexamples are shrunk while they keep violating under the same label; a shrunk "
        "tensor shorter than a group or block is a ragged last group/block, which behaves as if "
        "padded with zeros (e.g. `[[7, 8, 8]]` under 2:4 is the group (7, 8, 8, 0)). Stochastic "
        "rounding draws depend on the flat element index and the case's seed, so q(x)_i and "
        "q(s(x))_i use the same draw.\n\n";
  md << "## Summary\n\n| statement | kind | verdict | inside: configs with violation/witness | "
        "outside: configs with violation |\n|---|---|---|---|---|\n";
  for (const auto& s : r.statements)
    md << "| " << s.statement->id << " | " << kind_name(s.statement->kind) << " | **"
       << verdict_text(s.verdict) << "** | " << s.inside_violating << "/" << s.inside << " | "
       << s.outside_violating << "/" << s.outside << " |\n";
  md << "\n";
  for (const auto& s : r.statements) {
    if (s.statement->model_level)
      model_section(md, s, r.model);
    else
      statement_section(md, s);
  }
  return md.str();
}

}  // namespace interplay::proofs
