#include "experiment/json_path.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "core/error.hpp"
#include "core/suggest.hpp"

namespace interplay::experiment {

std::string child_path(const std::string& parent, const std::string& key) {
  return parent.empty() ? key : parent + "." + key;
}

std::string index_path(const std::string& parent, std::size_t i) {
  return parent + "[" + std::to_string(i) + "]";
}

static std::string type_of(const json& v) {
  if (v.is_object()) return "an object";
  if (v.is_array()) return "a list";
  if (v.is_string()) return "a string " + v.dump();
  if (v.is_boolean()) return v.dump();
  if (v.is_null()) return "null";
  return "the number " + v.dump();
}

void check_object(const json& v, const std::string& path, const std::vector<std::string>& allowed) {
  if (!v.is_object()) throw Error(at(path, "expected an object, got " + type_of(v)));
  for (const auto& item : v.items())
    if (std::find(allowed.begin(), allowed.end(), item.key()) == allowed.end())
      throw Error(at(path, unknown_name_message("key", item.key(), allowed)));
}

const json& required(const json& obj, const std::string& path, const std::string& key) {
  auto it = obj.find(key);
  if (it == obj.end()) throw Error(at(path, "missing required key '" + key + "'"));
  return *it;
}

const json* optional(const json& obj, const std::string& key) {
  auto it = obj.find(key);
  return it == obj.end() ? nullptr : &*it;
}

std::string as_string(const json& v, const std::string& path) {
  if (!v.is_string()) throw Error(at(path, "expected a string, got " + type_of(v)));
  return v.get<std::string>();
}

bool as_bool(const json& v, const std::string& path) {
  if (!v.is_boolean()) throw Error(at(path, "expected true or false, got " + type_of(v)));
  return v.get<bool>();
}

std::int64_t as_int(const json& v, const std::string& path, std::int64_t lo, std::int64_t hi) {
  std::int64_t i = 0;
  if (v.is_number_unsigned() && v.get<std::uint64_t>() > std::uint64_t(hi)) {
    throw Error(at(path, "value " + v.dump() + " is out of range " + std::to_string(lo) + ".." +
                             std::to_string(hi)));
  } else if (v.is_number_integer()) {
    i = v.get<std::int64_t>();
  } else if (v.is_number_float() && std::floor(v.get<double>()) == v.get<double>() &&
             std::fabs(v.get<double>()) < 9e15) {
    i = std::int64_t(v.get<double>());
  } else {
    throw Error(at(path, "expected an integer, got " + type_of(v)));
  }
  if (i < lo || i > hi)
    throw Error(at(path, "value " + std::to_string(i) + " is out of range " + std::to_string(lo) +
                             ".." + std::to_string(hi)));
  return i;
}

static std::string number_text(double d) {
  if (std::isinf(d)) return d > 0 ? "inf" : "-inf";
  std::ostringstream os;
  os << d;
  return os.str();
}

double as_number(const json& v, const std::string& path, double lo, double hi) {
  if (!v.is_number()) throw Error(at(path, "expected a number, got " + type_of(v)));
  const double d = v.get<double>();
  if (!(d >= lo && d <= hi))
    throw Error(at(path, "value " + v.dump() + " is out of range " + number_text(lo) + ".." +
                             number_text(hi)));
  return d;
}

std::vector<std::string> as_string_list(const json& v, const std::string& path) {
  if (v.is_string()) return {v.get<std::string>()};
  if (!v.is_array())
    throw Error(at(path, "expected a string or a list of strings, got " + type_of(v)));
  std::vector<std::string> out;
  for (std::size_t i = 0; i < v.size(); ++i) out.push_back(as_string(v[i], index_path(path, i)));
  return out;
}

void check_array(const json& v, const std::string& path, bool nonempty) {
  if (!v.is_array()) throw Error(at(path, "expected a list, got " + type_of(v)));
  if (nonempty && v.empty()) throw Error(at(path, "the list must not be empty"));
}

std::string as_choice(const json& v, const std::string& path,
                      const std::vector<std::string>& choices, const std::string& what) {
  const std::string s = as_string(v, path);
  if (std::find(choices.begin(), choices.end(), s) == choices.end())
    throw Error(at(path, unknown_name_message(what, s, choices)));
  return s;
}

}  // namespace interplay::experiment
