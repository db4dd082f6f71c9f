#pragma once
// Everything one sample produces: q(x), s(x), q(s(x)), s(q(x)), the two masks,
// and E_phi of each against x for every phi. Computed once per sample and
// read by every statement.
#include <array>
#include <cstdint>
#include <vector>

#include "proofs_check/config.hpp"
#include "proofs_check/sample.hpp"

namespace interplay::proofs {

enum Composition { kQ = 0, kS = 1, kQS = 2, kSQ = 3 };  // q, s, q∘s (S->Q), s∘q (Q->S)

struct Outputs {
  const Tensor* x = nullptr;
  Tensor q, s, qs, sq;
  std::vector<std::uint8_t> keep_x, keep_q;  // masks chosen on x and on q(x)
  std::array<std::array<double, 4>, 4> E{};  // E[phi][composition]

  const Tensor& of(Composition c) const { return c == kQ ? q : c == kS ? s : c == kQS ? qs : sq; }
  double error(Phi phi, Composition c) const { return E[std::size_t(phi)][c]; }
};

// Fills `o` (reusing its buffers); `x` must outlive `o`.
void evaluate(const Subject& subject, const Tensor& x, Outputs& o);

}  // namespace interplay::proofs
