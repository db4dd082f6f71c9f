// Every subcommand's --help shows its usage, its options and a worked example.
#include <catch2/catch.hpp>

#include "cli/run_cli.hpp"

using Catch::Matchers::Contains;
using interplay::test::run_cli;

TEST_CASE("every command's --help has an example", "[cli][help]") {
  for (const std::string cmd :
       {"compress", "run", "merge", "table", "prove", "bench", "train", "list-plugins"}) {
    CAPTURE(cmd);
    const auto r = run_cli({cmd, "--help"});
    CHECK(r.status == 0);
    CHECK_THAT(r.out,
               Contains("usage: interplay " + cmd) && Contains("examples:\n  interplay " + cmd));
  }
  const auto run = run_cli({"run", "--help"});
  CHECK_THAT(run.out, Contains("[--resume | --force]") && Contains("--set PATH=VALUE") &&
                          Contains("--reduce"));
  const auto compress = run_cli({"compress", "--help"});
  CHECK_THAT(compress.out,
             Contains("--tensors") && Contains("--report") && Contains("FILE.safetensors:NAME"));
}
