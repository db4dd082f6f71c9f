#pragma once
// Floating-point tolerances of the checked quantities, derived rather than guessed.
//
// Every checked quantity is a signed combination of a few sums of nonnegative
// terms (E_phi sums, |<Delta, a>| sums, quadratic forms), each accumulated in
// double from float data. With u = 2^-53, recursive summation of n terms has
// an absolute error of at most (n - 1) u * (sum of |terms|) to first order
// (Higham, Accuracy and Stability, eq. 4.4), and each term itself carries at
// most 4u relative error (see error_functions.hpp). The final additions of the
// two or three sums add 2u. So |computed - exact| <= (n + 8) u * M, where M is
// the sum of the magnitudes of every sum involved. A sample counts as a
// violation (or witness) only when the computed quantity exceeds this bound:
// a reported violation is real, not rounding noise.
//
// L1 is an exact identity of float computations (the same inputs reach the
// same quantizer arithmetic), so its tolerance is zero: any bit difference counts.
#include <cstddef>

namespace interplay::proofs {

constexpr double kUnitRoundoff = 0x1p-53;

// n: terms per sum (the longest sum involved); magnitude: M above.
inline double summation_tolerance(std::size_t terms, double magnitude) {
  return double(terms + 8) * kUnitRoundoff * magnitude;
}

}  // namespace interplay::proofs
