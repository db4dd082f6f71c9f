#include "cli/command.hpp"

#include <iostream>

#include "cli/examples.hpp"
#include "core/error.hpp"

namespace interplay::cli {

bool parse_command_line(const std::string& command, const std::string& usage,
                        const std::vector<std::string>& args, po::options_description& options,
                        const po::positional_options_description& positional,
                        po::variables_map& vm) {
  options.add_options()("help,h", "show this help");
  try {
    po::store(po::command_line_parser(args).options(options).positional(positional).run(), vm);
    if (vm.count("help")) {
      std::cout << "usage: interplay " << command << " " << usage << "\n\n" << options << "\n";
      if (const char* ex = command_examples(command)) std::cout << "examples:\n" << ex;
      return false;
    }
    po::notify(vm);
  } catch (const po::error& e) {
    throw Error("interplay " + command + ": " + e.what() + " (see --help)");
  }
  return true;
}

}  // namespace interplay::cli
