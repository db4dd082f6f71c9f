#pragma once
// One exception type for every user-facing failure. The message is the whole
// one-line diagnostic: it names the offending file / JSON path / parameter.
#include <stdexcept>
#include <string>

namespace interplay {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& what) : std::runtime_error(what) {}
};

// Prefix a message with a location ("pipeline.steps[1].bits: ...").
inline std::string at(const std::string& where, const std::string& what) {
  return where.empty() ? what : where + ": " + what;
}

}  // namespace interplay
