#include "proofs_check/case_checker.hpp"

#include <cmath>
#include <numeric>

#include "core/error.hpp"
#include "proofs_check/matrix.hpp"
#include "proofs_check/predicates.hpp"
#include "proofs_check/shrink.hpp"

namespace interplay::proofs {
namespace {

double objective(const Measurement& m) {
  const double r = m.relative();
  return std::isfinite(r) ? r : -1e300;
}

// Streams of the case's draws, one per purpose.
enum Stream : std::uint64_t { kRandom = 1, kTies = 2, kSearch = 3 };

}  // namespace

Budget Budget::quick() {
  return Budget{};
}

Budget Budget::full() {
  Budget b;
  b.random_trials = 240;
  b.tie_trials = 120;
  b.enumeration_limit = 6561;
  b.find_steps = 1500;
  b.adversarial_steps = 300;
  b.shrink_evaluations = 6000;
  return b;
}

CaseChecker::CaseChecker(const Case& c, const std::vector<const Statement*>& statements,
                         const WeightSource* weights)
    : case_(c), subject_(Subject::build(c)), moves_(subject_, c.shape), weights_(weights) {
  bool correlated = false;
  for (const Statement* s : statements)
    for (const Variant& v : s->variants) {
      Target t{s, v, {}, {}, -1e300, {}, -1e300};
      t.result.statement = s->id;
      t.result.config = c;
      t.result.variant = v;
      t.result.failing = label(t, c.shape);
      targets_.push_back(std::move(t));
      correlated |= v.cov == Covariance::Correlated;
    }
  if (correlated) correlated_ = correlated_covariance(last_dim(c.shape), c.seed);
}

std::vector<std::string> CaseChecker::label(const Target& t, const Shape& shape) const {
  const QuantizerFacts qf = subject_.quantizer_facts(shape);
  const SparsifierFacts sf = subject_.sparsifier_facts(shape);
  return failing_assumptions(t.statement->assumptions, ConfigView{qf, sf, t.variant});
}

std::vector<std::uint32_t> CaseChecker::identity_features() const {
  std::vector<std::uint32_t> f(case_.shape.empty() ? 1 : case_.shape.back());
  std::iota(f.begin(), f.end(), 0u);
  return f;
}

std::size_t CaseChecker::generator_count() const {
  return all_distributions().size() + (weights_ && !weights_->empty() ? 1 : 0);
}

// Trial t uses generator t mod count: the synthetic distributions in order,
// then the weight crops, so every generator gets the same number of samples.
bool CaseChecker::uses_weights(std::size_t trial) const {
  return trial % generator_count() == all_distributions().size();
}

std::string CaseChecker::generator_name(std::size_t trial) const {
  return uses_weights(trial) ? "weights"
                             : distribution_name(all_distributions()[trial % generator_count()]);
}

Sample CaseChecker::random_sample(std::size_t trial) {
  Draw draw(case_.seed, stream_id(kRandom, trial));
  Sample s;
  if (uses_weights(trial))
    s.x = weights_->crop(case_.shape, draw);
  else
    s.x = generate(all_distributions()[trial % generator_count()], case_.shape, draw);
  s.act = activations(last_axis(s.x), draw);
  s.features = identity_features();
  return s;
}

Sample CaseChecker::tie_sample(std::size_t trial) {
  Draw draw(case_.seed, stream_id(kTies, trial));
  Sample s;
  s.x = generate(trial % 2 ? Distribution::Dyadic : Distribution::Gaussian, case_.shape, draw);
  build_ties(moves_, s.x, draw, 1 + draw.below(2));
  s.act = activations(last_axis(s.x), draw);
  s.features = identity_features();
  return s;
}

Measurement CaseChecker::measure(const Target& t, const Sample& s, const Outputs& o) const {
  MeasureContext ctx;
  ctx.sample = &s;
  ctx.covariance = CovarianceView{&correlated_, last_dim(case_.shape), &s.features};
  return t.statement->measure(o, t.variant, ctx);
}

void CaseChecker::observe(Target& t, const Sample& s, const Measurement& m,
                          Tally ConfigResult::*phase) {
  (t.result.*phase).add(m);
  const double obj = objective(m);
  if (!t.result.has_worst || obj > objective(t.result.worst)) {
    t.result.worst = m;
    t.result.has_worst = true;
  }
  if (obj > t.best_objective) t.best_objective = obj, t.best = s;
  if (m.violates()) {
    t.result.found = true;
    if (obj > t.worst_violation_objective) t.worst_violation_objective = obj, t.worst_violation = s;
  }
}

void CaseChecker::observe_all(const Sample& s, Tally ConfigResult::*phase) {
  evaluate(subject_, s.x, scratch_);
  for (Target& t : targets_) observe(t, s, measure(t, s, scratch_), phase);
}

void CaseChecker::local_search(Target& t, std::size_t steps) {
  if (!t.best || steps == 0) return;
  Draw draw(case_.seed, stream_id(kSearch, stable_hash(t.statement->id + t.variant.label())));
  Sample current = *t.best;
  double current_obj = t.best_objective;
  const bool stop_when_found = t.statement->kind == Kind::Exists || !t.result.inside();
  Outputs o;
  for (std::size_t step = 0; step < steps; ++step) {
    Sample candidate = current;
    const std::size_t moves = 1 + draw.below(3);
    for (std::size_t k = 0; k < moves; ++k) random_move(moves_, candidate.x, draw);
    evaluate(subject_, candidate.x, o);
    const Measurement m = measure(t, candidate, o);
    observe(t, candidate, m, &ConfigResult::search);
    if (objective(m) >= current_obj) current = std::move(candidate), current_obj = objective(m);
    if (m.violates() && stop_when_found) return;
  }
}

void CaseChecker::shrink_violation(Target& t, const Budget& budget) {
  if (!t.worst_violation) return;
  ShrinkOptions options;
  options.max_evaluations = budget.shrink_evaluations;
  const QuantizerFacts qf = subject_.quantizer_facts(case_.shape);
  const SparsifierFacts sf = subject_.sparsifier_facts(case_.shape);
  options.periods.resize(case_.shape.size());
  for (std::size_t d = 0; d < case_.shape.size(); ++d)
    options.periods[d] = {qf.period[d], sf.period[d]};
  const auto original_label = t.result.failing;
  Outputs o;
  const auto still_fails = [&](const Sample& s) {
    if (s.x.size() == 0) return false;
    try {
      if (label(t, s.x.shape) != original_label) return false;
      evaluate(subject_, s.x, o);
      return measure(t, s, o).violates();
    } catch (const Error&) {
      return false;  // a shape the plugins reject is not a smaller counterexample
    }
  };
  ShrinkResult r = shrink(*t.worst_violation, options, still_fails);

  Counterexample c;
  c.statement = t.statement->id;
  c.config = case_;
  c.config.shape = r.sample.x.shape;
  c.variant = t.variant;
  c.failing = original_label;
  c.x = r.sample.x;
  c.act = r.sample.act;
  if (t.variant.cov == Covariance::Correlated) {
    const std::size_t dim = last_dim(case_.shape), n = r.sample.features.size();
    c.covariance.resize(n * n);
    for (std::size_t j = 0; j < n; ++j)
      for (std::size_t k = 0; k < n; ++k)
        c.covariance[j * n + k] = correlated_[r.sample.features[j] * dim + r.sample.features[k]];
  }
  evaluate(subject_, r.sample.x, o);
  c.measurement = measure(t, r.sample, o);
  c.original_numel = t.worst_violation->x.size();
  c.shrink_evaluations = r.evaluations;
  t.result.counterexample = std::move(c);
}

std::vector<ConfigResult> CaseChecker::run(const Budget& budget) {
  const std::size_t gens = generator_count();
  const std::size_t trials = (budget.random_trials + gens - 1) / gens * gens;
  for (std::size_t i = 0; i < trials; ++i) {
    const Sample s = random_sample(i);
    const std::string gen = generator_name(i);
    evaluate(subject_, s.x, scratch_);
    for (Target& t : targets_) {
      const Measurement m = measure(t, s, scratch_);
      t.result.random_by_generator[gen].add(m);
      observe(t, s, m, uses_weights(i) ? &ConfigResult::weights : &ConfigResult::random);
    }
  }
  for (std::size_t i = 0; i < budget.tie_trials; ++i)
    observe_all(tie_sample(i), &ConfigResult::constructed);
  if (case_.layout == "small") {
    // Integers, and a non-dyadic step so that unscaled formats round too.
    for (const float step : {1.0f, 0.3f}) {
      Enumeration e{case_.shape, 0, step};
      while (true) {
        Enumeration bigger{case_.shape, e.K + 1, step};
        if (bigger.count() > budget.enumeration_limit) break;
        e = bigger;
      }
      Sample s;
      s.features = identity_features();
      s.act.assign(s.features.size(), 1.0f);
      for (std::size_t i = 0; i < e.count(); ++i) {
        s.x = e.at(i);
        observe_all(s, &ConfigResult::exhaustive);
      }
    }
  }
  for (Target& t : targets_) {
    const bool wants_violation = t.statement->kind == Kind::Exists || !t.result.inside();
    if (wants_violation && !t.result.found)
      local_search(t, budget.find_steps);
    else if (!wants_violation)
      local_search(t, budget.adversarial_steps);
  }
  std::vector<ConfigResult> out;
  for (Target& t : targets_) {
    shrink_violation(t, budget);
    out.push_back(std::move(t.result));
  }
  return out;
}

}  // namespace interplay::proofs
