#pragma once
// Runs the real `interplay` executable (INTERPLAY_BINARY) in a shell and
// captures its exit status, stdout and stderr.
#include <sys/wait.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "io/scratch.hpp"

namespace interplay::test {

struct CliResult {
  int status = -1;
  std::string out, err;
};

// Single-quotes an argument for /bin/sh.
inline std::string shell_quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

// Any program (found on PATH) with its arguments.
inline CliResult run_program(const std::string& program, const std::vector<std::string>& args) {
  ScratchDir capture;
  std::string cmd = shell_quote(program);
  for (const auto& a : args) cmd += " " + shell_quote(a);
  cmd += " >" + shell_quote(capture.path("out")) + " 2>" + shell_quote(capture.path("err"));
  const int raw = std::system(cmd.c_str());
  CliResult r;
  r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  r.out = read_bytes(capture.path("out"));
  r.err = read_bytes(capture.path("err"));
  return r;
}

inline CliResult run_cli(const std::vector<std::string>& args) {
  return run_program(INTERPLAY_BINARY, args);
}

}  // namespace interplay::test
