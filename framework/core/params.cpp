#include "core/params.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "core/error.hpp"
#include "core/suggest.hpp"

namespace interplay {

const char* param_type_name(ParamType t) {
  switch (t) {
    case ParamType::Int:
      return "int";
    case ParamType::Float:
      return "float";
    case ParamType::Bool:
      return "bool";
    case ParamType::String:
      return "string";
    case ParamType::Choice:
      return "choice";
    case ParamType::Json:
      return "json";
  }
  return "?";
}

ParamSpec ParamSpec::integer(std::string name, std::int64_t def, std::int64_t lo, std::int64_t hi,
                             std::string doc) {
  ParamSpec p{std::move(name), ParamType::Int, def, double(lo), double(hi), {}, std::move(doc)};
  return p;
}
ParamSpec ParamSpec::real(std::string name, double def, double lo, double hi, std::string doc) {
  return ParamSpec{std::move(name), ParamType::Float, def, lo, hi, {}, std::move(doc)};
}
ParamSpec ParamSpec::flag(std::string name, bool def, std::string doc) {
  ParamSpec p;
  p.name = std::move(name), p.type = ParamType::Bool, p.default_value = def, p.doc = std::move(doc);
  return p;
}
ParamSpec ParamSpec::text(std::string name, std::string def, std::string doc) {
  ParamSpec p;
  p.name = std::move(name), p.type = ParamType::String, p.default_value = std::move(def);
  p.doc = std::move(doc);
  return p;
}
ParamSpec ParamSpec::choice(std::string name, std::string def, std::vector<std::string> choices,
                            std::string doc) {
  ParamSpec p;
  p.name = std::move(name), p.type = ParamType::Choice, p.default_value = std::move(def);
  p.choices = std::move(choices), p.doc = std::move(doc);
  return p;
}

ParamSpec ParamSpec::object(std::string name, std::string doc) {
  ParamSpec p;
  p.name = std::move(name), p.type = ParamType::Json, p.default_value = nullptr;
  p.doc = std::move(doc);
  return p;
}

static std::string number_string(double v) {
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  std::ostringstream os;
  os << v;
  return os.str();
}

std::string ParamSpec::range_string() const {
  switch (type) {
    case ParamType::Int:
      return (std::isinf(min) ? "-inf" : std::to_string(std::int64_t(min))) + ".." +
             (std::isinf(max) ? "inf" : std::to_string(std::int64_t(max)));
    case ParamType::Float:
      return number_string(min) + ".." + number_string(max);
    case ParamType::Bool:
      return "true|false";
    case ParamType::Choice: {
      std::string s;
      for (std::size_t i = 0; i < choices.size(); ++i) s += (i ? "|" : "") + choices[i];
      return s;
    }
    case ParamType::String:
    case ParamType::Json:
      return "";
  }
  return "";
}

json ParamSpec::to_json() const {
  json j{{"name", name}, {"type", param_type_name(type)}, {"default", default_value}, {"doc", doc}};
  if (type == ParamType::Int || type == ParamType::Float) {
    j["min"] = std::isinf(min) ? json(nullptr) : json(min);
    j["max"] = std::isinf(max) ? json(nullptr) : json(max);
  }
  if (type == ParamType::Choice) j["choices"] = choices;
  return j;
}

const json& Params::get(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end()) throw Error("internal: parameter '" + name + "' was not declared");
  return *it;
}
std::int64_t Params::integer(const std::string& name) const {
  return get(name).get<std::int64_t>();
}
double Params::real(const std::string& name) const {
  return get(name).get<double>();
}
bool Params::flag(const std::string& name) const {
  return get(name).get<bool>();
}
const std::string& Params::str(const std::string& name) const {
  return get(name).get_ref<const std::string&>();
}

static json check_value(const ParamSpec& s, const json& v, const std::string& where) {
  auto fail = [&](const std::string& why) { throw Error(at(where, why)); };
  switch (s.type) {
    case ParamType::Int: {
      double d;
      if (v.is_number_unsigned()) {  // above INT64_MAX it must not wrap to a negative
        d = double(v.get<std::uint64_t>());
      } else if (v.is_number_integer()) {
        d = double(v.get<std::int64_t>());
      } else if (v.is_number_float() && std::floor(v.get<double>()) == v.get<double>()) {
        d = v.get<double>();
      } else {
        fail("expected an integer, got " + v.dump());
      }
      if (d < s.min || d > s.max)
        fail("value " + v.dump() + " is out of range " + s.range_string());
      return json(static_cast<std::int64_t>(d));
    }
    case ParamType::Float: {
      if (!v.is_number()) fail("expected a number, got " + v.dump());
      const double d = v.get<double>();
      if (!(d >= s.min && d <= s.max))
        fail("value " + v.dump() + " is out of range " + s.range_string());
      return json(d);
    }
    case ParamType::Bool:
      if (!v.is_boolean()) fail("expected true or false, got " + v.dump());
      return v;
    case ParamType::String:
      if (!v.is_string()) fail("expected a string, got " + v.dump());
      return v;
    case ParamType::Choice: {
      if (!v.is_string()) fail("expected one of " + s.range_string() + ", got " + v.dump());
      const auto& str = v.get_ref<const std::string&>();
      if (std::find(s.choices.begin(), s.choices.end(), str) == s.choices.end())
        fail(unknown_name_message("value", str, s.choices));
      return v;
    }
    case ParamType::Json:
      // Checked by the plugin that owns it (e.g. as a nested pipeline step).
      if (!v.is_object() && !v.is_string() && !v.is_null())
        fail("expected a JSON object, a name string or null, got " + v.dump());
      return v;
  }
  return v;
}

Params validate_params(const std::vector<ParamSpec>& specs, const json& given,
                       const std::string& where, const std::vector<std::string>& ignored) {
  if (!given.is_object()) throw Error(at(where, "expected a JSON object, got " + given.dump()));
  std::vector<std::string> names;
  for (const auto& s : specs) names.push_back(s.name);
  json out = json::object();
  for (const auto& [key, value] : given.items()) {
    if (std::find(ignored.begin(), ignored.end(), key) != ignored.end()) continue;
    auto it = std::find_if(specs.begin(), specs.end(), [&](auto& s) { return s.name == key; });
    if (it == specs.end()) throw Error(at(where, unknown_name_message("parameter", key, names)));
    out[key] = check_value(*it, value, where.empty() ? key : where + "." + key);
  }
  for (const auto& s : specs)
    if (!out.contains(s.name)) out[s.name] = s.default_value;
  return Params(std::move(out));
}

}  // namespace interplay
