#include "core/plugin.hpp"

namespace interplay {

void Sparsifier::sparsify(const Tensor& in, Tensor& out) const {
  // Reused across calls: a mask per call would allocate numel bytes each time.
  static thread_local std::vector<std::uint8_t> keep;
  select(in, keep);
  if (&out != &in) out.shape = in.shape, out.data.resize(in.size());
  const float* x = in.data.data();
  float* y = out.data.data();
  const std::size_t n = in.size();
#pragma omp parallel for schedule(static) if (n > (1u << 16))
  for (std::size_t i = 0; i < n; ++i) y[i] = keep[i] ? x[i] : 0.0f;
}

}  // namespace interplay
