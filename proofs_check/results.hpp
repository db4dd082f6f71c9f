#pragma once
// What a check run produces, per statement x configuration: the label
// (inside, or which assumptions fail), trial counts per phase, violations, the
// worst value, and the shrunk counterexample.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "proofs_check/config.hpp"
#include "proofs_check/statement.hpp"

namespace interplay::proofs {

struct Tally {
  std::size_t samples = 0, units = 0, violating_samples = 0, violating_units = 0;
  void add(const Measurement& m) {
    ++samples;
    units += m.units;
    violating_units += m.violating_units;
    violating_samples += m.violates() ? 1 : 0;
  }
  Tally& operator+=(const Tally& o) {
    samples += o.samples, units += o.units, violating_samples += o.violating_samples,
        violating_units += o.violating_units;
    return *this;
  }
  double rate() const { return units ? double(violating_units) / double(units) : 0.0; }
};

// A minimal failing input with everything needed to replay it.
struct Counterexample {
  std::string statement;
  Case config;  // shape = the shrunk shape
  Variant variant;
  std::vector<std::string> failing;  // the label it was found under
  Tensor x;
  std::vector<float> act;          // T4: activation vector
  std::vector<double> covariance;  // T5 correlated: C restricted to the kept features
  Measurement measurement;
  std::size_t original_numel = 0, shrink_evaluations = 0;

  json to_json() const;
  static Counterexample from_json(const json& j, const std::string& where);
};

struct ConfigResult {
  std::string statement;
  Case config;
  Variant variant;
  std::vector<std::string> failing;                        // failing assumptions; empty = inside
  Tally random, weights, constructed, exhaustive, search;  // weights: crops of --weights
  // The random phase split by generator (distribution_name(), or "weights"
  // for crops of --weights): rates are only meaningful per distribution (T2's
  // Q->S win rate goes from 0 % on normal to most of Student-t), so reports
  // never pool them.
  std::map<std::string, Tally> random_by_generator;
  bool found = false;  // some sample violated / witnessed
  Measurement worst;   // largest relative value seen
  bool has_worst = false;
  std::optional<Counterexample> counterexample;

  bool inside() const { return failing.empty(); }
  Tally total() const {
    Tally t = random;
    t += weights, t += constructed, t += exhaustive, t += search;
    return t;
  }
};

json measurement_json(const Measurement& m);

}  // namespace interplay::proofs
