#include "cli/command.hpp"

#include <iostream>

#include "cli/examples.hpp"
#include "core/error.hpp"

namespace interplay::cli {
namespace {

template <class T>
bool is_typed(const po::option_description& d) {
  return dynamic_cast<const po::typed_value<T>*>(d.semantic().get()) != nullptr;
}

// Boost converts "-1" for an unsigned option by wrapping it (4294967295);
// a negative count or size is always a mistake, so say so.
void reject_negative_unsigned(const po::parsed_options& parsed,
                              const po::options_description& options) {
  for (const auto& o : parsed.options) {
    const po::option_description* d = options.find_nothrow(o.string_key, false);
    if (!d || !(is_typed<unsigned>(*d) || is_typed<unsigned long>(*d) ||
                is_typed<unsigned long long>(*d)))
      continue;
    for (const auto& token : o.value)
      if (token.find('-') != std::string::npos)
        throw Error("--" + o.string_key + ": expected a non-negative integer, got '" + token + "'");
  }
}

}  // namespace

bool parse_command_line(const std::string& command, const std::string& usage,
                        const std::vector<std::string>& args, po::options_description& options,
                        const po::positional_options_description& positional,
                        po::variables_map& vm) {
  options.add_options()("help,h", "show this help");
  try {
    const po::parsed_options parsed =
        po::command_line_parser(args).options(options).positional(positional).run();
    reject_negative_unsigned(parsed, options);
    po::store(parsed, vm);
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
