// `interplay SUBCOMMAND ...`: dispatch, and the one place errors become a
// single line on stderr and a non-zero exit.
#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <new>
#include <string>
#include <vector>

#include "cli/command.hpp"
#include "core/error.hpp"
#include "core/suggest.hpp"
#include "core/version.hpp"

namespace {

struct Command {
  const char* name;
  int (*fn)(const std::vector<std::string>&);
  const char* summary;
};

const Command kCommands[] = {
#define INTERPLAY_COMMAND(name, fn, summary) {name, interplay::cli::fn, summary},
#include "cli/commands.def"
#undef INTERPLAY_COMMAND
};

void print_help() {
  std::cout << "interplay " << interplay::kVersion
            << " - the interplay of sparsity and quantization\n\n"
               "usage: interplay COMMAND [options]   (interplay COMMAND --help for details)\n\n"
               "commands:\n";
  for (const auto& c : kCommands) {
    std::string name = c.name;
    name.resize(14, ' ');
    std::cout << "  " << name << c.summary << "\n";
  }
}

// The promise is one line per error, whatever a library put in its message.
std::string one_line(std::string s) {
  for (char& c : s)
    if (c == '\n' || c == '\r') c = ' ';
  return s;
}

// OpenMP's default wait policy spins a waiting thread for a long time
// (libgomp: 300 000 turns) before it sleeps. On a shared machine, where
// another process holds a core, the spinning thread takes the CPU its partner
// needs and a two-thread run became 4x slower than one thread. Waiting
// passively (sleep at once, woken by the kernel) costs microseconds per
// parallel region and makes the default robust. libgomp reads its settings
// when it is loaded, before main, so the policy is set and the program
// re-executed once. A user's own OMP_WAIT_POLICY or GOMP_SPINCOUNT is left
// alone; if re-executing fails, the program simply runs with the default.
void prefer_passive_openmp_wait(char** argv) {
  if (std::getenv("OMP_WAIT_POLICY") || std::getenv("GOMP_SPINCOUNT")) return;
  if (setenv("OMP_WAIT_POLICY", "passive", 1) != 0) return;
  execv("/proc/self/exe", argv);
  unsetenv("OMP_WAIT_POLICY");  // exec failed: keep the environment as the user gave it
}

}  // namespace

int main(int argc, char** argv) {
  prefer_passive_openmp_wait(argv);
  const std::vector<std::string> all(argv + 1, argv + argc);
  if (all.empty() || all[0] == "--help" || all[0] == "-h" || all[0] == "help") {
    print_help();
    return all.empty() ? 2 : 0;
  }
  if (all[0] == "--version") {
    std::cout << "interplay " << interplay::kVersion << " (" << interplay::kGitCommit << ", "
              << interplay::kBuildType << ")\n";
    return 0;
  }
  std::vector<std::string> names;
  for (const auto& c : kCommands) names.push_back(c.name);
  try {
    for (const auto& c : kCommands)
      if (all[0] == c.name) return c.fn(std::vector<std::string>(all.begin() + 1, all.end()));
    throw interplay::Error(interplay::unknown_name_message("command", all[0], names));
  } catch (const interplay::Interrupted& e) {
    std::cerr << "interplay: interrupted: " << one_line(e.what()) << "\n";
    return e.exit_status();
  } catch (const std::bad_alloc&) {
    std::cerr << "interplay: error: " << all[0]
              << ": out of memory (an input or a parameter asks for more than this machine has)\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "interplay: error: " << one_line(e.what()) << "\n";
    return 1;
  }
}
