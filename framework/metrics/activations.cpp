#include "metrics/activations.hpp"

#include <cmath>

#include "core/error.hpp"
#include "core/rng.hpp"
#include "metrics/common.hpp"

namespace interplay {
namespace {

// Stream id of metric activations in the counter-based generator ("actv").
constexpr std::uint64_t kActivationStream = 0x61637476;
constexpr double kTwoPi = 6.283185307179586476925286766559;

// Element g of the random stream. Normal: Box-Muller on the uniform pair
// (2j, 2j + 1) with j = g / 2; even g takes the cosine, odd g the sine.
float random_value(std::uint64_t seed, Distribution d, std::uint64_t g) {
  if (d == Distribution::Uniform)
    return static_cast<float>(2.0 * uniform53(seed, kActivationStream, g) - 1.0);
  const std::uint64_t j = g / 2;
  const double u1 = 1.0 - uniform53(seed, kActivationStream, 2 * j);  // (0, 1]: log is finite
  const double u2 = uniform53(seed, kActivationStream, 2 * j + 1);
  const double r = std::sqrt(-2.0 * std::log(u1)), theta = kTwoPi * u2;
  return static_cast<float>(g % 2 == 0 ? r * std::cos(theta) : r * std::sin(theta));
}

}  // namespace

std::vector<ParamSpec> activation_params(const std::string& count_name,
                                         std::int64_t count_default) {
  return {ParamSpec::integer(count_name, count_default, 1, 1 << 20,
                             "random activation vectors (when none are given)"),
          ParamSpec::integer("seed", 0, 0, 9007199254740991LL,
                             "seed of the random activations (counter-based)"),
          ParamSpec::choice("distribution", "normal", {"normal", "uniform"},
                            "random activations: N(0, 1) or uniform on [-1, 1)")};
}

ActivationSource ActivationSource::from(const Params& p, const std::string& count_name) {
  ActivationSource s;
  s.count = static_cast<std::size_t>(p.integer(count_name));
  s.seed = static_cast<std::uint64_t>(p.integer("seed"));
  s.distribution =
      p.str("distribution") == "uniform" ? Distribution::Uniform : Distribution::Normal;
  return s;
}

Tensor random_activations(const ActivationSource& src, std::size_t features) {
  Tensor a({src.count, features});
  float* out = a.data.data();
  const std::int64_t n = static_cast<std::int64_t>(a.size());
#pragma omp parallel for schedule(static) if (n > (1 << 16))
  for (std::int64_t g = 0; g < n; ++g)
    out[g] = random_value(src.seed, src.distribution, static_cast<std::uint64_t>(g));
  return a;
}

const Tensor& resolve_activations(const MetricContext& ctx, const ActivationSource& src,
                                  const Shape& weight_shape, const std::string& metric,
                                  Tensor& storage) {
  const std::size_t features = row_shape(weight_shape).features;
  if (!ctx.activations) return storage = random_activations(src, features);
  const Tensor& a = *ctx.activations;
  if (a.rank() == 0 || a.shape.back() != features)
    throw Error("metric " + metric + ": activations of shape " + shape_string(a.shape) +
                " do not match weights of shape " + shape_string(weight_shape) +
                " (the last dims must agree)");
  return a;
}

}  // namespace interplay
