// Fuzz entry for the safetensors parser (io/safetensors.hpp). The harness
// (libFuzzer's LLVMFuzzerTestOneInput, or the corpus replay in the test
// suite) calls it with arbitrary bytes and treats interplay::Error as the
// expected answer to bad input; anything else (a crash, a sanitizer report,
// another exception type, an allocation beyond the input's size) is a bug.
// Valid inputs are also decoded, so the dtype conversions are exercised.
#include <cstddef>
#include <cstdint>

#include "core/error.hpp"
#include "fuzz/fuzz_target.hpp"
#include "io/safetensors.hpp"
#include "io/safetensors_dtype.hpp"

INTERPLAY_FUZZ_TARGET(safetensors) {
  try {
    const auto f = interplay::io::SafetensorsFile::parse(data, size, "fuzz-input");
    for (const auto& e : f.entries()) {
      (void)f.find(e.name);
      // Decoding allocates 4 bytes per element, at most twice the input's size
      // (the smallest float dtype has 2 bytes per element).
      if (interplay::io::st::is_float_dtype(e.dtype)) (void)f.read(e);
    }
    (void)f.listing();
  } catch (const interplay::Error&) {
  }
}
