#pragma once
// Shared plumbing for subcommands: Boost.Program_options parsing with
// one-line errors, and the declarations generated from commands.def.
#include <boost/program_options.hpp>
#include <string>
#include <vector>

namespace interplay::cli {

namespace po = boost::program_options;

#define INTERPLAY_COMMAND(name, fn, summary) int fn(const std::vector<std::string>& args);
#include "cli/commands.def"
#undef INTERPLAY_COMMAND

// Parses `args` against `options` (and positionals); prints help and returns
// false when --help was given. Unknown options become interplay::Error.
bool parse_command_line(const std::string& command, const std::string& usage,
                        const std::vector<std::string>& args, po::options_description& options,
                        const po::positional_options_description& positional,
                        po::variables_map& vm);

}  // namespace interplay::cli
