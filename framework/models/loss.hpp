#pragma once
// Softmax cross-entropy over logits [N, classes] with integer labels.
#include <cstdint>

#include "core/tensor.hpp"

namespace interplay {

struct LossStats {
  double loss_sum = 0.0;    // sum over the batch of -log p(label)
  std::size_t correct = 0;  // argmax == label (the first maximum wins ties)
};

// Per-example losses are computed independently and summed in order, so the
// result does not depend on the thread count. When `dlogits` is given it
// receives d(mean loss)/d(logits) = (softmax - onehot) / N; `row_losses`,
// when given, each row's -log p(label).
LossStats softmax_cross_entropy(const Tensor& logits, const std::uint8_t* labels,
                                Tensor* dlogits = nullptr,
                                std::vector<double>* row_losses = nullptr);

}  // namespace interplay
