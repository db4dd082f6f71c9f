#pragma once
// Conventions every metric shares: shape checks, the rows x features view of
// a tensor, and how ratios with a zero denominator are defined.
#include <cmath>
#include <limits>
#include <string>

#include "core/error.hpp"
#include "core/tensor.hpp"

namespace interplay {

// Throws naming the metric and both shapes unless reference and approx agree.
inline void check_same_shape(const std::string& metric, const Tensor& reference,
                             const Tensor& approx) {
  if (reference.shape != approx.shape || reference.size() != approx.size())
    throw Error("metric " + metric + ": reference shape " + shape_string(reference.shape) +
                " and approx shape " + shape_string(approx.shape) + " differ");
}

// A tensor seen as a matrix: rows = product of all leading dims, features =
// the last dim (a scalar is 1 x 1, a vector one row).
struct RowShape {
  std::size_t rows = 1, features = 1;
};
inline RowShape row_shape(const Shape& shape) {
  RowShape r;
  if (shape.empty()) return r;
  r.features = shape.back();
  for (std::size_t i = 0; i + 1 < shape.size(); ++i) r.rows *= shape[i];
  return r;
}

// num / den for non-negative sums, with 0/0 = 0 (nothing to compare, no
// error) and num/0 = +inf (error against an all-zero reference). NaN stays NaN.
inline double ratio_or_inf(double num, double den) {
  if (std::isnan(num) || std::isnan(den)) return std::numeric_limits<double>::quiet_NaN();
  if (den == 0.0) return num == 0.0 ? 0.0 : std::numeric_limits<double>::infinity();
  return num / den;
}

}  // namespace interplay
