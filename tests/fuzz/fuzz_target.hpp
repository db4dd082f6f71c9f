#pragma once
// Fuzz targets: one per parser of outside input. A target feeds the bytes to
// the parser and returns normally when the parser accepts them or rejects them
// with interplay::Error (a one-line message); anything else — another
// exception, a crash, a sanitizer report — is a bug.
//
// Every target runs twice over: its committed corpus (tests/fuzz/corpus/NAME/)
// is replayed by an ordinary test in the suite, and `-DINTERPLAY_FUZZ=ON`
// with clang builds `interplay_fuzz`, a libFuzzer binary for all targets
// (tests/fuzz/README.md).
//
//   INTERPLAY_FUZZ_TARGET(npy) { ... use data, size ... }
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace interplay::fuzz {

using FuzzFunction = void (*)(const std::uint8_t* data, std::size_t size);

struct FuzzTarget {
  std::string name;
  FuzzFunction run;
};

std::vector<FuzzTarget>& fuzz_targets();

struct RegisterFuzzTarget {
  RegisterFuzzTarget(const char* name, FuzzFunction run) { fuzz_targets().push_back({name, run}); }
};

// Parsers that take a path get the bytes through a private temporary file.
std::string write_temporary(const std::uint8_t* data, std::size_t size, const std::string& suffix);
void remove_temporary(const std::string& path);

}  // namespace interplay::fuzz

#define INTERPLAY_FUZZ_TARGET(NAME)                                                      \
  static void interplay_fuzz_##NAME(const std::uint8_t* data, std::size_t size);         \
  static const ::interplay::fuzz::RegisterFuzzTarget interplay_fuzz_register_##NAME(     \
      #NAME, interplay_fuzz_##NAME);                                                     \
  static void interplay_fuzz_##NAME([[maybe_unused]] const std::uint8_t* data,           \
                                    [[maybe_unused]] std::size_t size)
