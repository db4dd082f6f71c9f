// `interplay run CONFIG [--output FILE] [--resume] [--dry-run] [--threads N]`:
// validate an experiment config, expand it into a frozen point list, and
// run it into an HDF5 results file (framework/experiment/).
#include <iostream>

#include "cli/command.hpp"
#include "core/error.hpp"
#include "experiment/config.hpp"
#include "experiment/mpi_scheduler.hpp"
#include "experiment/runner.hpp"
#include "experiment/scheduler.hpp"

namespace interplay::cli {

namespace {

int run_command(const po::variables_map& vm) {
  if (vm.count("resume") && vm.count("force"))
    throw Error("interplay run: --resume and --force exclude each other");

  std::pair<unsigned, unsigned> shard{0, 0};
  if (vm.count("shard")) shard = experiment::parse_shard(vm["shard"].as<std::string>());
  const std::vector<std::string> sets =
      vm.count("set") ? vm["set"].as<std::vector<std::string>>() : std::vector<std::string>{};
  const auto cfg =
      experiment::load_config(vm["config"].as<std::string>(), sets, vm.count("reduce") > 0);
  const auto points = experiment::expand_points(cfg);
  if (vm.count("dry-run")) {
    experiment::mpi::protocol_done();  // nothing exchanged: every rank may finalise
    if (experiment::mpi::rank() > 0) return 0;
    experiment::validate_tables(cfg, experiment::result_columns(cfg, points));
    if (shard.second) {  // just this shard's share
      std::vector<experiment::Point> share;
      for (const std::size_t k : experiment::shard_points(cfg, points, shard.first, shard.second))
        share.push_back(points[k]);
      std::cout << experiment::describe_points(cfg, share);
    } else {
      std::cout << experiment::describe_points(cfg, points);
    }
    return 0;
  }
  experiment::RunOptions o;
  if (vm.count("output")) o.output = vm["output"].as<std::string>();
  o.resume = vm.count("resume") > 0;
  o.force = vm.count("force") > 0;
  o.quiet = vm.count("quiet") > 0;
  o.threads = vm["threads"].as<unsigned>();
  o.flush_seconds = vm["flush-seconds"].as<double>();
  o.delay_ms = vm["delay-ms"].as<unsigned>();
  o.shard_k = shard.first, o.shard_n = shard.second;
  const auto s = experiment::run_experiment(cfg, points, o);
  if (!o.quiet && !s.worker) {
    if (s.ran == 0 && s.already_done == s.total)
      std::cerr << "interplay run: all " << s.total << " points of " << s.output
                << " are already done\n";
    else
      std::cerr << "interplay run: wrote " << s.output << " (" << s.total << " points, " << s.ran
                << " run now, " << s.already_done << " from before)\n";
  }
  return 0;
}

}  // namespace

int cmd_run(const std::vector<std::string>& args) {
  po::options_description opts("run options");
  opts.add_options()("config", po::value<std::string>(), "experiment config (JSON)")(
      "output,o", po::value<std::string>(), "results file (default: the config's \"output\")")(
      "resume", "continue an interrupted run of the same output, skipping finished points")(
      "force", "overwrite an existing output")("dry-run",
                                               "print the expanded points and their count")(
      "threads,j", po::value<unsigned>()->default_value(0),
      "points run in parallel (0: all cores; under mpirun each worker rank runs one)")(
      "set", po::value<std::vector<std::string>>()->composing(),
      "edit the config before validation: PATH=VALUE, e.g. inputs[*].shape=[64,64] (repeatable)")(
      "reduce", "apply the config's \"reduce\" edits (a quick version of the experiment)")(
      "quiet,q", "no progress output")("flush-seconds", po::value<double>()->default_value(2.0),
                                       "how often the HDF5 file is rewritten")(
      "shard", po::value<std::string>(),
      "K/N: run only share K of N of the points (merge the parts with interplay merge)")(
      "delay-ms", po::value<unsigned>()->default_value(0),
      "sleep after each point (to test interruption)");
  po::positional_options_description pos;
  pos.add("config", 1);
  po::variables_map vm;
  if (!parse_command_line("run",
                          "CONFIG [--output FILE] [--resume | --force] [--dry-run] [--threads N] "
                          "[--set PATH=VALUE ...] [--reduce] [--quiet] [--shard K/N]",
                          args, opts, pos, vm))
    return 0;
  if (!vm.count("config")) throw Error("interplay run: missing CONFIG (see --help)");
  if (experiment::mpi::launched_without_support())
    throw Error(
        "interplay run: started by mpirun with several ranks, but this interplay was "
        "built without MPI (configure with -DINTERPLAY_MPI=ON)");
  // Every rank reads and expands the config itself; rank 0 alone writes.
  const experiment::mpi::Session mpi_session;
  try {
    return run_command(vm);
  } catch (...) {
    // Rank 0 checks everything the workers could find and reports it: one
    // line, not one per rank.
    if (experiment::mpi::rank() > 0) return 1;
    throw;
  }
}

}  // namespace interplay::cli