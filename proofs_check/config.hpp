#pragma once
// A configuration of a check: a *case* (quantizer, sparsifier, layout, shape:
// everything that decides the compressed tensors) and a statement-specific
// *variant* (the error function phi, the covariance of T5). Samples are
// shared by every statement and variant of a case, so each compression runs
// once per sample.
#include <memory>
#include <optional>
#include <string>

#include "core/params.hpp"
#include "core/plugin.hpp"
#include "proofs_check/error_functions.hpp"
#include "proofs_check/facts.hpp"

namespace interplay::proofs {

struct Case {
  std::string quantizer_label;   // "mxfp4", "int4_block32", ...
  json quantizer;                // pipeline step: {"quantizer": NAME, overrides...}
  std::string sparsifier_label;  // "2:4", "unstructured50", "row50"
  json sparsifier;               // pipeline step: {"sparsifier": NAME, params...}
  std::string layout;  // "nested", "crossed", "small" (descriptive; labels come from facts)
  Shape shape;
  std::uint64_t seed = 0;  // generator seed for this case

  std::string rounding() const;  // the quantizer's rounding parameter (default nearest_even)
  std::string id() const;        // "mxfp4 / 2:4 / nested / nearest_even / [8,64]"
  json to_json() const;
  static Case from_json(const json& j, const std::string& where);
};

enum class Covariance { None, Isotropic, Correlated };
const char* covariance_name(Covariance c);

struct Variant {
  std::optional<Phi> phi;
  Covariance cov = Covariance::None;

  std::string label() const;  // "l2sq", "correlated", "-"
  json to_json() const;
  static Variant from_json(const json& j, const std::string& where);
  bool operator==(const Variant& o) const { return phi == o.phi && cov == o.cov; }
};

// The built plugins of a case.
struct Subject {
  std::shared_ptr<const Quantizer> quantizer;
  std::string quantizer_plugin;
  json quantizer_params;
  std::shared_ptr<const Sparsifier> sparsifier;
  std::string sparsifier_plugin;
  json sparsifier_params;

  static Subject build(const Case& c);
  QuantizerFacts quantizer_facts(const Shape& shape) const;
  SparsifierFacts sparsifier_facts(const Shape& shape) const;
};

}  // namespace interplay::proofs
