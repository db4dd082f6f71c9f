// libFuzzer entry point for every target: INTERPLAY_FUZZ_TARGET=NAME selects
// one (tests/fuzz/README.md). Not part of the test binary (*.cc is not globbed).
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "fuzz/fuzz_target.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static interplay::fuzz::FuzzFunction run = [] {
    const char* want = std::getenv("INTERPLAY_FUZZ_TARGET");
    for (const auto& t : interplay::fuzz::fuzz_targets())
      if (want && t.name == want) return t.run;
    std::fprintf(stderr, "set INTERPLAY_FUZZ_TARGET to one of:");
    for (const auto& t : interplay::fuzz::fuzz_targets()) std::fprintf(stderr, " %s", t.name.c_str());
    std::fprintf(stderr, "\n");
    std::exit(2);
  }();
  run(data, size);
  return 0;
}
