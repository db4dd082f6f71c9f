// `interplay bench --json`: the baselines and one row per selected case,
// with ratios that are the quotients of the rates they come from (each
// case's own copies, timed right before it).
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "cli/run_cli.hpp"

using interplay::test::run_cli;

TEST_CASE("bench --json reports memcpy, the streaming copy and each case", "[cli][bench]") {
  const auto r = run_cli({"bench", "--size", "300", "--repeat", "1", "--filter", "nm", "--json"});
  REQUIRE(r.status == 0);
  const auto j = nlohmann::json::parse(r.out);
  CHECK(j["elements"] == 90000);
  for (const char* base : {"memcpy", "stream_copy"})
    for (const char* t : {"elements_per_s_1t", "elements_per_s_all"}) {
      CAPTURE(base, t);
      CHECK(j[base][t].get<double>() > 0);
    }
  REQUIRE(j["cases"].size() == 2);  // nm 2:4 and nm 1:4
  for (const auto& c : j["cases"]) {
    CAPTURE(c.dump());
    CHECK(c["name"].get<std::string>().rfind("nm ", 0) == 0);
    const double one = c["elements_per_s_1t"], all = c["elements_per_s_all"];
    CHECK(c["speedup"].get<double>() == Approx(all / one));
    // Against the copies timed right before the case.
    CHECK(c["vs_memcpy_1t"].get<double>() ==
          Approx(one / c["memcpy"]["elements_per_s_1t"].get<double>()));
    CHECK(c["vs_memcpy_all"].get<double>() ==
          Approx(all / c["memcpy"]["elements_per_s_all"].get<double>()));
    CHECK(c["vs_stream_copy_all"].get<double>() ==
          Approx(all / c["stream_copy"]["elements_per_s_all"].get<double>()));
  }
}

// The README's performance table is what scripts/bench_summary.py makes of
// the committed runs: a re-run bench that is not summarised again, or a
// hand-edited number, fails here.
TEST_CASE("the README's bench table comes from results/bench_runs.json", "[cli][bench]") {
  const std::string root = INTERPLAY_SOURCE_DIR;
  const auto r = interplay::test::run_program(
      "python3", {root + "/scripts/bench_summary.py", root + "/results/bench_runs.json"});
  REQUIRE(r.status == 0);
  const std::string readme = interplay::test::read_bytes(root + "/README.md");
  std::size_t rows = 0, at = 0;
  while (at < r.out.size()) {
    const std::size_t end = r.out.find('\n', at);
    const std::string line = r.out.substr(at, end - at);
    at = end == std::string::npos ? r.out.size() : end + 1;
    if (line.rfind("| ", 0) != 0) continue;
    CAPTURE(line);
    CHECK(readme.find(line + "\n") != std::string::npos);
    ++rows;
  }
  CHECK(rows > 20);  // the header and a row per case
}
