#pragma once
// Shared by the [proofs] tests: build a case from JSON steps, label it for a
// statement, evaluate a statement on a given tensor.
#include <numeric>
#include <string>

#include "proofs_check/outputs.hpp"
#include "proofs_check/predicates.hpp"
#include "proofs_check/statement.hpp"

namespace interplay::proofs::test {

inline Case make_case(const std::string& quantizer, const std::string& sparsifier, Shape shape) {
  Case c;
  c.quantizer = json::parse(quantizer);
  c.sparsifier = json::parse(sparsifier);
  c.quantizer_label = c.quantizer.at("quantizer").get<std::string>();
  c.sparsifier_label = c.sparsifier.at("sparsifier").get<std::string>();
  c.layout = "test";
  c.shape = std::move(shape);
  c.seed = 7;
  return c;
}

inline std::vector<std::string> failing(const Case& c, const std::string& statement_id,
                                        const Variant& v) {
  const Subject s = Subject::build(c);
  const QuantizerFacts qf = s.quantizer_facts(c.shape);
  const SparsifierFacts sf = s.sparsifier_facts(c.shape);
  return failing_assumptions(statement(statement_id).assumptions, ConfigView{qf, sf, v});
}

inline Measurement measure(const Case& c, const std::string& statement_id, const Variant& v,
                           const Tensor& x, std::vector<float> act = {},
                           const std::vector<double>* covariance = nullptr) {
  const Subject s = Subject::build(c);
  Sample sample;
  sample.x = x;
  sample.act = std::move(act);
  sample.features.resize(last_axis(x));
  std::iota(sample.features.begin(), sample.features.end(), 0u);
  Outputs o;
  evaluate(s, sample.x, o);
  MeasureContext ctx;
  ctx.sample = &sample;
  ctx.covariance = CovarianceView{covariance, sample.features.size(), &sample.features};
  return statement(statement_id).measure(o, v, ctx);
}

inline Variant phi(Phi p) {
  return Variant{p, Covariance::None};
}

}  // namespace interplay::proofs::test
