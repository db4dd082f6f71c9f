#pragma once
// Activation vectors for the layer-level metrics (dot, output): the caller's
// (MetricContext::activations) when given, else seeded random ones.
#include <cstdint>
#include <string>
#include <vector>

#include "core/params.hpp"
#include "core/plugin.hpp"

namespace interplay {

enum class Distribution { Normal, Uniform };

// The parameters describing the random fallback: `count_name` vectors (e.g.
// "count" or "samples"), `seed`, `distribution`.
std::vector<ParamSpec> activation_params(const std::string& count_name, std::int64_t count_default);

struct ActivationSource {
  std::size_t count = 16;
  std::uint64_t seed = 0;
  Distribution distribution = Distribution::Normal;

  static ActivationSource from(const Params& p, const std::string& count_name);
};

// [count, features] float32: N(0, 1) by Box-Muller, or uniform on [-1, 1).
// Element (v, k) is a pure function of (seed, v * features + k), so it does
// not depend on thread count, and a smaller count gives a prefix of the rows.
Tensor random_activations(const ActivationSource& src, std::size_t features);

// ctx.activations if set (rows = all leading dims; the last dim must match the
// weight's), else random activations with the weight's feature count, built
// into `storage`. Errors name `metric` and both shapes.
const Tensor& resolve_activations(const MetricContext& ctx, const ActivationSource& src,
                                  const Shape& weight_shape, const std::string& metric,
                                  Tensor& storage);

}  // namespace interplay
