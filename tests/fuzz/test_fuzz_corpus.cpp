// Replays every fuzz target's committed corpus as an ordinary test: the
// inputs that once crashed a parser, or that cover its branches, must keep
// being accepted or rejected with interplay::Error.
#include <dirent.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "fuzz/fuzz_target.hpp"

namespace {

std::vector<std::string> corpus_files(const std::string& dir) {
  std::vector<std::string> files;
  if (DIR* d = ::opendir(dir.c_str())) {
    while (const dirent* e = ::readdir(d))
      if (e->d_name[0] != '.') files.push_back(dir + "/" + e->d_name);
    ::closedir(d);
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

TEST_CASE("fuzz: every target's corpus replays without a crash or a stray exception",
          "[fuzz]") {
  const auto& targets = interplay::fuzz::fuzz_targets();
  REQUIRE(targets.size() >= 7);
  for (const auto& t : targets) {
    const auto files = corpus_files(std::string(INTERPLAY_SOURCE_DIR) + "/tests/fuzz/corpus/" + t.name);
    INFO("target " << t.name);
    CHECK(files.size() >= 3);  // a target without a corpus is not being kept honest
    for (const auto& f : files) {
      INFO("input " << f);
      std::ifstream in(f, std::ios::binary);
      std::stringstream ss;
      ss << in.rdbuf();
      const std::string bytes = ss.str();
      CHECK_NOTHROW(t.run(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()));
    }
  }
}
