#pragma once
// Reading a JSON config with errors that name the JSON path
// ("sweep.formats[3].bits: expected an integer, got \"8\""). Every object is
// checked against its allowed keys, with a did-you-mean for typos.
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "core/params.hpp"

namespace interplay::experiment {

// "a.b" / "a[3]" path builders (an empty parent gives just the key).
std::string child_path(const std::string& parent, const std::string& key);
std::string index_path(const std::string& parent, std::size_t i);

// `v` must be an object whose keys are all in `allowed`.
void check_object(const json& v, const std::string& path, const std::vector<std::string>& allowed);
// The value of a required key.
const json& required(const json& obj, const std::string& path, const std::string& key);
// nullptr when the key is absent.
const json* optional(const json& obj, const std::string& key);

std::string as_string(const json& v, const std::string& path);
bool as_bool(const json& v, const std::string& path);
std::int64_t as_int(const json& v, const std::string& path,
                    std::int64_t lo = std::numeric_limits<std::int64_t>::min(),
                    std::int64_t hi = std::numeric_limits<std::int64_t>::max());
double as_number(const json& v, const std::string& path,
                 double lo = -std::numeric_limits<double>::infinity(),
                 double hi = std::numeric_limits<double>::infinity());
// A list of strings; a single string is accepted as a list of one.
std::vector<std::string> as_string_list(const json& v, const std::string& path);
// `v` must be an array (non-empty when `nonempty`).
void check_array(const json& v, const std::string& path, bool nonempty = false);

// One of `choices`, with a did-you-mean on a typo.
std::string as_choice(const json& v, const std::string& path,
                      const std::vector<std::string>& choices, const std::string& what = "value");

}  // namespace interplay::experiment
