#include "proofs_check/results.hpp"

#include "core/error.hpp"

namespace interplay::proofs {

json measurement_json(const Measurement& m) {
  return {{"value", m.value}, {"tolerance", m.tolerance},
          {"scale", m.scale}, {"relative", m.relative()},
          {"units", m.units}, {"violating_units", m.violating_units}};
}

json Counterexample::to_json() const {
  return {{"statement", statement},
          {"case", config.to_json()},
          {"variant", variant.to_json()},
          {"failing_assumptions", failing},
          {"shape", x.shape},
          {"x", x.data},
          {"activations", act},
          {"covariance", covariance},
          {"measurement", measurement_json(measurement)},
          {"original_numel", original_numel},
          {"shrink_evaluations", shrink_evaluations}};
}

Counterexample Counterexample::from_json(const json& j, const std::string& where) {
  try {
    Counterexample c;
    c.statement = j.at("statement").get<std::string>();
    c.config = Case::from_json(j.at("case"), where + ".case");
    c.variant = Variant::from_json(j.at("variant"), where + ".variant");
    c.failing = j.at("failing_assumptions").get<std::vector<std::string>>();
    c.x = Tensor(j.at("shape").get<Shape>(), j.at("x").get<std::vector<float>>());
    c.act = j.at("activations").get<std::vector<float>>();
    c.covariance = j.at("covariance").get<std::vector<double>>();
    const json& m = j.at("measurement");
    c.measurement.value = m.at("value").get<double>();
    c.measurement.tolerance = m.at("tolerance").get<double>();
    c.measurement.scale = m.at("scale").get<double>();
    c.measurement.units = m.at("units").get<std::size_t>();
    c.measurement.violating_units = m.at("violating_units").get<std::size_t>();
    c.original_numel = j.value("original_numel", std::size_t(0));
    c.shrink_evaluations = j.value("shrink_evaluations", std::size_t(0));
    return c;
  } catch (const json::exception& e) {
    throw Error(at(where, std::string("malformed counterexample: ") + e.what()));
  }
}

}  // namespace interplay::proofs
