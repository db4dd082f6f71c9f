#pragma once
// Helpers for the metric tests: build a metric from a name or JSON text and
// evaluate it; random tensors from a fixed seed.
#include <random>
#include <string>
#include <vector>

#include "core/registry.hpp"
#include "core/tensor.hpp"

namespace interplay::test {

// `spec` is a metric name ("l1") or JSON text (R"({"metric":"lp","p":3})").
inline std::vector<double> run_metric(const std::string& spec, const Tensor& x, const Tensor& y,
                                      const MetricContext& ctx = {}) {
  const json j = spec.front() == '{' ? json::parse(spec) : json{{"metric", spec}};
  auto built = metrics().build(j, "metric", "test");
  std::vector<double> out(built.object->columns().size());
  built.object->evaluate(x, y, ctx, out.data());
  return out;
}

inline double metric_value(const std::string& spec, const Tensor& x, const Tensor& y,
                           const MetricContext& ctx = {}) {
  return run_metric(spec, x, y, ctx).at(0);
}

inline Tensor random_tensor(Shape shape, unsigned seed, float scale = 1.0f) {
  Tensor t(std::move(shape));
  std::mt19937 gen(seed);
  std::normal_distribution<float> dist(0.0f, scale);
  for (auto& v : t.data) v = dist(gen);
  return t;
}

// x plus small noise, with some elements pruned to zero: a typical f(x).
inline Tensor perturbed(const Tensor& x, unsigned seed) {
  Tensor y = x;
  std::mt19937 gen(seed);
  std::normal_distribution<float> noise(0.0f, 0.05f);
  for (std::size_t i = 0; i < y.size(); ++i) y.data[i] = i % 4 == 3 ? 0.0f : y.data[i] + noise(gen);
  return y;
}

}  // namespace interplay::test
