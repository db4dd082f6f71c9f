#include "proofs_check/replay.hpp"

#include <numeric>
#include <sstream>

#include "proofs_check/outputs.hpp"
#include "proofs_check/predicates.hpp"
#include "proofs_check/statement.hpp"

namespace interplay::proofs {

ReplayOutcome replay(const Counterexample& c) {
  const Statement& s = statement(c.statement);
  const Subject subject = Subject::build(c.config);
  Sample sample;
  sample.x = c.x;
  sample.act = c.act;
  sample.features.resize(last_axis(c.x));
  std::iota(sample.features.begin(), sample.features.end(), 0u);
  Outputs o;
  evaluate(subject, sample.x, o);
  MeasureContext ctx;
  ctx.sample = &sample;
  ctx.covariance = CovarianceView{&c.covariance, sample.features.size(), &sample.features};
  ReplayOutcome r;
  r.measured = s.measure(o, c.variant, ctx);
  const QuantizerFacts qf = subject.quantizer_facts(c.x.shape);
  const SparsifierFacts sf = subject.sparsifier_facts(c.x.shape);
  r.failing = failing_assumptions(s.assumptions, ConfigView{qf, sf, c.variant});
  r.reproduces = r.measured.value == c.measurement.value &&
                 r.measured.violates() == c.measurement.violates() && r.failing == c.failing;
  return r;
}

std::string describe_replay(const Counterexample& c, const ReplayOutcome& r) {
  std::ostringstream os;
  os.precision(17);
  os << c.statement << " [" << c.variant.label() << "] " << c.config.id() << ": value "
     << r.measured.value << " (tolerance " << r.measured.tolerance << ", recorded "
     << c.measurement.value << "), " << (r.measured.violates() ? "violates" : "does not violate")
     << ", " << (r.failing.empty() ? "inside assumptions" : "outside assumptions") << " -> "
     << (r.reproduces ? "REPRODUCED" : "NOT REPRODUCED");
  return os.str();
}

}  // namespace interplay::proofs
