// `interplay merge PART... --output R.h5 [--allow-incomplete] [--force]`:
// join the parts of a sharded run (interplay run --shard K/N) into one
// results file, identical in rows and values to an unsharded run.
#include <iostream>

#include "cli/command.hpp"
#include "core/error.hpp"
#include "experiment/merge.hpp"

namespace interplay::cli {

int cmd_merge(const std::vector<std::string>& args) {
  po::options_description opts("merge options");
  opts.add_options()("parts", po::value<std::vector<std::string>>(),
                     "results files written by interplay run --shard K/N")(
      "output,o", po::value<std::string>(), "the merged results file")(
      "allow-incomplete",
      "write the file even when points are in no part (it is marked incomplete)")(
      "force", "overwrite an existing output")("quiet,q", "no summary line");
  po::positional_options_description pos;
  pos.add("parts", -1);
  po::variables_map vm;
  if (!parse_command_line("merge", "PART.h5... --output FILE [--allow-incomplete] [--force]", args,
                          opts, pos, vm))
    return 0;
  if (!vm.count("parts")) throw Error("interplay merge: missing PART files (see --help)");
  if (!vm.count("output")) throw Error("interplay merge: missing --output FILE (see --help)");
  experiment::MergeOptions o;
  o.allow_incomplete = vm.count("allow-incomplete") > 0;
  o.force = vm.count("force") > 0;
  const auto output = vm["output"].as<std::string>();
  const auto s = experiment::merge_parts(vm["parts"].as<std::vector<std::string>>(), output, o);
  if (!vm.count("quiet"))
    std::cerr << "interplay merge: wrote " << output << " (" << s.merged << " of " << s.total
              << " points)\n";
  return 0;
}

}  // namespace interplay::cli
