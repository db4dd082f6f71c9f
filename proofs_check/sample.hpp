#pragma once
// One input to the checks: a weight tensor plus what the dot-product and
// output-error statements need alongside it. Activations and covariance rows
// are indexed by the tensor's last axis, so shrinking that axis shrinks them too.
#include <cstdint>
#include <vector>

#include "core/tensor.hpp"

namespace interplay::proofs {

struct Sample {
  Tensor x;
  std::vector<float> act;               // activation vector a (T4), one per last-axis index
  std::vector<std::uint32_t> features;  // covariance row of each last-axis index (T5)
};

// A covariance over the last axis, seen through a sample's feature indices.
struct CovarianceView {
  const std::vector<double>* matrix = nullptr;  // dim x dim, row-major; null = identity
  std::size_t dim = 0;
  const std::vector<std::uint32_t>* features = nullptr;

  double at(std::size_t j, std::size_t k) const {
    if (!matrix) return j == k ? 1.0 : 0.0;
    return (*matrix)[std::size_t((*features)[j]) * dim + (*features)[k]];
  }
};

// Length of the last axis (activations and covariance rows are indexed by it).
inline std::size_t last_dim(const Shape& s) {
  return s.empty() ? 1 : s.back();
}
inline std::size_t last_axis(const Tensor& t) {
  return last_dim(t.shape);
}

}  // namespace interplay::proofs
