// The journal keeps every bit of every value (NaN, -0, Inf), ignores a line
// torn by a kill, and rejects corruption before the end.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <limits>

#include "core/error.hpp"
#include "experiment/journal.hpp"
#include "helpers.hpp"

using namespace interplay;
using namespace interplay::experiment;

TEST_CASE("journal round-trips values bit for bit and survives a torn tail", "[experiment]") {
  exptest::ScratchDir dir;
  const std::string path = dir.file("out.h5.journal");
  const std::vector<double> v{0.1, -0.0, std::numeric_limits<double>::infinity(),
                              std::numeric_limits<double>::quiet_NaN(), 5e-324};
  {
    const json header{{"interplay_journal", 1}, {"columns", {"a", "b", "c", "d", "e"}}};
    Journal j(path, header, {{"p0", {1.5, 1, 1, 1, 1}}});
    j.append({{"p1", v}});
    j.append({{"p2", {2.0, 2, 2, 2, 2}}, {"p3", {3.0, 3, 3, 3, 3}}});
  }
  exptest::write_text(path,
                      exptest::read_text(path) + "{\"id\":\"p4\",\"v\":[\"3ff0");  // torn by a kill
  const JournalContents c = Journal::read(path);
  CHECK(c.header["columns"] == json({"a", "b", "c", "d", "e"}));
  REQUIRE(c.entries.size() == 4);
  CHECK(c.entries[0].id == "p0");
  CHECK(c.entries[1].id == "p1");
  REQUIRE(c.entries[1].values.size() == v.size());
  CHECK(std::memcmp(c.entries[1].values.data(), v.data(), sizeof(double) * v.size()) == 0);
  CHECK(std::signbit(c.entries[1].values[1]));
  CHECK(c.entries[3].values == std::vector<double>{3.0, 3, 3, 3, 3});

  // Rewriting drops the torn tail; a bad line before the end is an error.
  { Journal j(path, c.header, c.entries); }
  CHECK(exptest::count_lines(path) == 5);
  const std::string text = exptest::read_text(path);
  exptest::write_text(
      path, text.substr(0, text.find('\n') + 1) + "garbage\n" + text.substr(text.find('\n') + 1));
  CHECK_THROWS_WITH(Journal::read(path), Catch::Contains("out.h5.journal:2: corrupt journal line"));
}
