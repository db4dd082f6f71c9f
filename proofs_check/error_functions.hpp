#pragma once
// The separable error functions of THEORY.md, E_phi(y, x) = sum_i phi(|y_i - x_i|),
// computed here directly from their definitions (not through the metric
// plugins, so the checks test the quantizers and sparsifiers against the
// mathematics and not against other code of the project).
//
// Accumulation is in double from float values. The difference of two floats
// is exact in double unless their exponents differ by more than 29, and then
// it is correctly rounded; phi adds at most two roundings (t^3), so each term
// carries a relative error of at most 4u (u = 2^-53). See tolerance.hpp.
#include <cmath>
#include <cstddef>
#include <string>
#include <vector>

namespace interplay::proofs {

enum class Phi { L1, L2Squared, L3Cubed, LHalf };

struct PhiInfo {
  Phi phi;
  const char* name;     // "l1", "l2sq", "l3cube", "l0.5"
  const char* formula;  // "phi(t) = t^2"
  bool convex;          // phi convex on [0, inf): every L_p^p with p >= 1
};

const std::vector<PhiInfo>& all_phis();
const PhiInfo& phi_info(Phi phi);
Phi parse_phi(const std::string& name);  // throws Error listing the valid names

inline double phi_of(Phi phi, double t) {
  switch (phi) {
    case Phi::L1:
      return t;
    case Phi::L2Squared:
      return t * t;
    case Phi::L3Cubed:
      return t * t * t;
    case Phi::LHalf:
      return std::sqrt(t);
  }
  return t;
}

// E_phi(y, x) over n elements, in double.
double error_sum(Phi phi, const float* y, const float* x, std::size_t n);

}  // namespace interplay::proofs
