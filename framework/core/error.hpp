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

// A command stopped by SIGINT/SIGTERM after saving its work; the message says
// what was kept and how to continue. The exit status is 128 + the signal.
class Interrupted : public Error {
 public:
  Interrupted(const std::string& what, int signal) : Error(what), signal_(signal) {}
  int exit_status() const { return 128 + signal_; }

 private:
  int signal_;
};

// Prefix a message with a location ("pipeline.steps[1].bits: ...").
inline std::string at(const std::string& where, const std::string& what) {
  return where.empty() ? what : where + ": " + what;
}

}  // namespace interplay
