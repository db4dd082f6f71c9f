#pragma once
// Typed, documented plugin parameters. A plugin declares ParamSpecs; a JSON
// object is validated against them (unknown names, wrong types and
// out-of-range values are errors naming the parameter) into a Params.
#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace interplay {

using json = nlohmann::json;

enum class ParamType { Int, Float, Bool, String, Choice, Json };
const char* param_type_name(ParamType t);

struct ParamSpec {
  std::string name;
  ParamType type = ParamType::Float;
  json default_value;
  double min = -std::numeric_limits<double>::infinity();
  double max = std::numeric_limits<double>::infinity();
  std::vector<std::string> choices;
  std::string doc;

  static ParamSpec integer(std::string name, std::int64_t def, std::int64_t lo, std::int64_t hi,
                           std::string doc);
  static ParamSpec real(std::string name, double def, double lo, double hi, std::string doc);
  static ParamSpec flag(std::string name, bool def, std::string doc);
  static ParamSpec text(std::string name, std::string def, std::string doc);
  static ParamSpec choice(std::string name, std::string def, std::vector<std::string> choices,
                          std::string doc);
  // A nested JSON value (e.g. a whole quantizer step); null by default = absent.
  static ParamSpec object(std::string name, std::string doc);

  std::string range_string() const;  // "2..16", "{a, b}", "" for free text
  json to_json() const;
};

// Validated values: every declared parameter present, of the declared type.
class Params {
 public:
  Params() = default;
  explicit Params(json values) : values_(std::move(values)) {}

  std::int64_t integer(const std::string& name) const;
  double real(const std::string& name) const;
  bool flag(const std::string& name) const;
  const std::string& str(const std::string& name) const;
  const json& value(const std::string& name) const { return get(name); }
  const json& values() const { return values_; }

 private:
  const json& get(const std::string& name) const;
  json values_;
};

// `where` is the JSON path of `given` used in error messages; `ignored` names
// keys that belong to the caller (e.g. "quantizer") and are skipped.
Params validate_params(const std::vector<ParamSpec>& specs, const json& given,
                       const std::string& where, const std::vector<std::string>& ignored = {});

}  // namespace interplay
