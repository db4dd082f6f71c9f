#pragma once
// The one way interplay parses JSON text from outside (configs, pipelines,
// --set values, journals, attributes of files it reads): errors become one
// interplay::Error naming `where`, and nesting is bounded so that hostile
// input cannot exhaust the stack in code that walks the value recursively
// (printing, copying, comparing).
#include <string>

#include "core/error.hpp"
#include "core/params.hpp"  // json

namespace interplay {

constexpr int kMaxJsonDepth = 64;

class JsonTooDeep : public Error {
 public:
  using Error::Error;
};

// "WHERE: invalid JSON (...)" / "WHERE: JSON nested deeper than 64 levels".
json parse_json(const std::string& text, const std::string& where);

}  // namespace interplay
