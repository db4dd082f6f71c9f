#include "models/loss.hpp"

#include <cmath>
#include <vector>

#include "core/error.hpp"

namespace interplay {

LossStats softmax_cross_entropy(const Tensor& logits, const std::uint8_t* labels, Tensor* dlogits,
                                std::vector<double>* row_losses) {
  if (logits.rank() != 2) throw Error("cross-entropy expects logits [N, classes]");
  const std::size_t n = logits.shape[0], k = logits.shape[1];
  std::vector<double> losses(n);
  std::vector<std::uint8_t> hit(n);
  if (dlogits) {
    dlogits->shape = logits.shape;
    dlogits->data.resize(logits.size());
  }
  for (std::size_t r = 0; r < n; ++r)
    if (labels[r] >= k)
      throw Error("cross-entropy: label " + std::to_string(labels[r]) + " out of range for " +
                  std::to_string(k) + " classes");
  const std::int64_t rows = std::int64_t(n);
#pragma omp parallel for schedule(static) if (rows > 512)
  for (std::int64_t r = 0; r < rows; ++r) {
    const float* z = logits.data.data() + std::size_t(r) * k;
    const std::size_t label = labels[r];
    std::size_t best = 0;
    for (std::size_t j = 1; j < k; ++j)
      if (z[j] > z[best]) best = j;
    double sum = 0.0;
    for (std::size_t j = 0; j < k; ++j) sum += std::exp(double(z[j]) - double(z[best]));
    const double log_sum = std::log(sum) + double(z[best]);
    losses[std::size_t(r)] = log_sum - double(z[label]);
    hit[std::size_t(r)] = best == label;
    if (dlogits) {
      float* g = dlogits->data.data() + std::size_t(r) * k;
      for (std::size_t j = 0; j < k; ++j)
        g[j] = float((std::exp(double(z[j]) - log_sum) - (j == label ? 1.0 : 0.0)) / double(n));
    }
  }
  LossStats s;
  for (std::size_t r = 0; r < n; ++r) s.loss_sum += losses[r], s.correct += hit[r];
  if (row_losses) *row_losses = std::move(losses);
  return s;
}

}  // namespace interplay
