#pragma once
// Per-example evaluation: each test example's cross-entropy and whether it is
// classified correctly. The paired bootstrap (stats/bootstrap.hpp) needs these
// per example, so that gaps between configurations evaluated on the same
// images are resampled together.
#include <vector>

#include "models/dataset.hpp"
#include "models/model.hpp"
#include "models/trainer.hpp"

namespace interplay {

struct ExampleResults {
  std::vector<double> loss;     // -log p(label), per example
  std::vector<double> correct;  // 1 if argmax == label (first maximum wins), else 0

  double mean_loss() const;
  double accuracy() const;
};

// Same arithmetic per example as softmax_cross_entropy (models/loss.cpp).
ExampleResults evaluate_examples(Model& model, const Dataset& data, std::size_t batch = 500);

// One forward pass giving both: `summary` exactly as evaluate_model computes
// it (same batches, same sums, so the stored test_loss/test_accuracy do not
// depend on whether examples are kept) and the per-example results.
ExampleResults evaluate_examples(Model& model, const Dataset& data, EvalResult& summary,
                                 std::size_t batch = 500);

}  // namespace interplay
