#pragma once
// The three plugin interfaces. Each call processes a whole tensor, so the
// one virtual call is amortised over the hot loop inside the plugin.
#include <cstdint>
#include <string>
#include <vector>

#include "core/tensor.hpp"

namespace interplay {

class Quantizer {
 public:
  virtual ~Quantizer() = default;
  // `out` is resized to in's shape; in and out may be the same object.
  virtual void quantize(const Tensor& in, Tensor& out) const = 0;
  // Storage cost per element of a tensor of `shape`, every scale included
  // (element bits + all scale / zero-point bits / numel(shape)). The shape is
  // needed because per-channel and per-tensor scales, and ragged last blocks,
  // are amortised over a number of elements only the shape fixes (MXFP8 on
  // [64, 64]: 8 + 8/32; per-channel INT8 on [64, 64]: 8 + 32/64).
  virtual double bits_per_element(const Shape& shape) const = 0;
};

class Sparsifier {
 public:
  virtual ~Sparsifier() = default;
  // keep[i] = 1 for every surviving element; resized to x.size().
  virtual void select(const Tensor& x, std::vector<std::uint8_t>& keep) const = 0;
  // out = x with the pruned elements set to +0; in and out may be the same
  // object. The default applies select()'s mask; a plugin may override it
  // with a fused kernel that makes the same decisions without the mask pass.
  virtual void sparsify(const Tensor& in, Tensor& out) const;
};

// What a metric may need besides the two tensors (activations for dot/output).
struct MetricContext {
  const Tensor* activations = nullptr;  // [n, in_features], optional
};

class Metric {
 public:
  virtual ~Metric() = default;
  // Column names this metric produces (usually one: its own name).
  virtual std::vector<std::string> columns() const = 0;
  // Writes columns().size() values comparing `approx` against `reference`.
  virtual void evaluate(const Tensor& reference, const Tensor& approx, const MetricContext& ctx,
                        double* out) const = 0;
};

}  // namespace interplay
