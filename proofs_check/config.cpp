#include "proofs_check/config.hpp"

#include "core/error.hpp"
#include "core/registry.hpp"

namespace interplay::proofs {

std::string Case::rounding() const {
  return quantizer.contains("rounding") ? quantizer["rounding"].get<std::string>()
                                        : std::string("nearest_even");
}

std::string Case::id() const {
  return quantizer_label + " / " + sparsifier_label + " / " + layout + " / " + rounding() + " / " +
         shape_string(shape);
}

json Case::to_json() const {
  return {{"quantizer_label", quantizer_label},
          {"quantizer", quantizer},
          {"sparsifier_label", sparsifier_label},
          {"sparsifier", sparsifier},
          {"layout", layout},
          {"shape", shape},
          {"seed", seed}};
}

Case Case::from_json(const json& j, const std::string& where) {
  try {
    Case c;
    c.quantizer_label = j.at("quantizer_label").get<std::string>();
    c.quantizer = j.at("quantizer");
    c.sparsifier_label = j.at("sparsifier_label").get<std::string>();
    c.sparsifier = j.at("sparsifier");
    c.layout = j.at("layout").get<std::string>();
    c.shape = j.at("shape").get<Shape>();
    c.seed = j.at("seed").get<std::uint64_t>();
    return c;
  } catch (const json::exception& e) {
    throw Error(at(where, std::string("malformed case: ") + e.what()));
  }
}

const char* covariance_name(Covariance c) {
  switch (c) {
    case Covariance::None:
      return "none";
    case Covariance::Isotropic:
      return "isotropic";
    case Covariance::Correlated:
      return "correlated";
  }
  return "none";
}

std::string Variant::label() const {
  if (phi) return phi_info(*phi).name;
  if (cov != Covariance::None) return covariance_name(cov);
  return "-";
}

json Variant::to_json() const {
  json j = json::object();
  if (phi) j["phi"] = phi_info(*phi).name;
  if (cov != Covariance::None) j["covariance"] = covariance_name(cov);
  return j;
}

Variant Variant::from_json(const json& j, const std::string& where) {
  Variant v;
  if (j.contains("phi")) v.phi = parse_phi(j["phi"].get<std::string>());
  if (j.contains("covariance")) {
    const std::string c = j["covariance"].get<std::string>();
    if (c == "isotropic")
      v.cov = Covariance::Isotropic;
    else if (c == "correlated")
      v.cov = Covariance::Correlated;
    else
      throw Error(at(where + ".covariance",
                     "unknown covariance '" + c + "' (valid: isotropic, correlated)"));
  }
  return v;
}

Subject Subject::build(const Case& c) {
  Subject s;
  auto q = quantizers().build(c.quantizer, "quantizer", "case.quantizer");
  s.quantizer = std::move(q.object);
  s.quantizer_plugin = q.plugin;
  s.quantizer_params = q.params;
  auto sp = sparsifiers().build(c.sparsifier, "sparsifier", "case.sparsifier");
  s.sparsifier = std::move(sp.object);
  s.sparsifier_plugin = sp.plugin;
  s.sparsifier_params = sp.params;
  return s;
}

QuantizerFacts Subject::quantizer_facts(const Shape& shape) const {
  return proofs::quantizer_facts(quantizer->describe(), shape);
}

SparsifierFacts Subject::sparsifier_facts(const Shape& shape) const {
  return proofs::sparsifier_facts(sparsifier->describe(), shape);
}

}  // namespace interplay::proofs
