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
