#pragma once
// Distributions on top of the counter-based generator (core/rng.hpp): every
// draw is a pure function of (seed, stream, index), so a check's samples do
// not depend on thread count or on which configurations ran before.
#include <cmath>
#include <cstdint>

#include "core/rng.hpp"

namespace interplay::proofs {

// A stream of draws: index advances; (seed, stream) fix the sequence.
class Draw {
 public:
  Draw(std::uint64_t seed, std::uint64_t stream) : seed_(seed), stream_(stream) {}

  double uniform() { return uniform53(seed_, stream_, index_++); }
  // Integer in [0, n).
  std::uint64_t below(std::uint64_t n) {
    return n ? counter_hash(seed_, stream_, index_++) % n : 0;
  }
  // Standard normal (Box-Muller; two uniforms per draw keeps indexing simple).
  double gaussian() {
    const double u1 = 1.0 - uniform(), u2 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }
  bool coin() { return below(2) == 1; }

 private:
  std::uint64_t seed_, stream_, index_ = 0;
};

// A sub-stream id from a few integers (case, trial, purpose).
inline std::uint64_t stream_id(std::uint64_t a, std::uint64_t b = 0, std::uint64_t c = 0) {
  return mix64(mix64(mix64(a) ^ b) ^ c);
}

}  // namespace interplay::proofs
