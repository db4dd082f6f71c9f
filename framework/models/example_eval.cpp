#include "models/example_eval.hpp"

#include <cmath>

#include "models/loss.hpp"

namespace interplay {

namespace {
double mean(const std::vector<double>& v) {
  double s = 0.0;
  for (double x : v) s += x;
  return v.empty() ? 0.0 : s / double(v.size());
}
}  // namespace

double ExampleResults::mean_loss() const {
  return mean(loss);
}
double ExampleResults::accuracy() const {
  return mean(correct);
}

ExampleResults evaluate_examples(Model& model, const Dataset& data, std::size_t batch) {
  EvalResult summary;
  return evaluate_examples(model, data, summary, batch);
}

ExampleResults evaluate_examples(Model& model, const Dataset& data, EvalResult& summary,
                                 std::size_t batch) {
  ExampleResults r;
  double loss_sum = 0.0;
  std::size_t correct = 0;
  r.loss.resize(data.size());
  r.correct.resize(data.size());
  Tensor x, logits;
  std::vector<std::uint8_t> y;
  for (std::size_t b = 0; b < data.size(); b += batch) {
    const std::size_t count = std::min(batch, data.size() - b);
    data.slice(b, count, x, y);
    model.forward(x, logits);
    const LossStats s = softmax_cross_entropy(logits, y.data());
    loss_sum += s.loss_sum;
    correct += s.correct;
    const std::size_t k = logits.shape[1];
    for (std::size_t i = 0; i < count; ++i) {
      const float* z = logits.data.data() + i * k;
      std::size_t best = 0;
      for (std::size_t j = 1; j < k; ++j)
        if (z[j] > z[best]) best = j;
      double sum = 0.0;
      for (std::size_t j = 0; j < k; ++j) sum += std::exp(double(z[j]) - double(z[best]));
      r.loss[b + i] = std::log(sum) + double(z[best]) - double(z[y[i]]);
      r.correct[b + i] = best == y[i] ? 1.0 : 0.0;
    }
  }
  summary = EvalResult{};
  summary.count = data.size();
  if (summary.count)
    summary.loss = loss_sum / double(summary.count),
    summary.accuracy = double(correct) / double(summary.count);
  return r;
}

}  // namespace interplay
