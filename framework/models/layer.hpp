#pragma once
// The layer interface of the built-in models. A layer maps one tensor to one
// tensor; forward keeps what backward needs, backward turns dL/dy into dL/dx
// and overwrites the gradient of each of its parameters. One virtual call per
// layer and batch; all loops inside work on contiguous float32 storage.
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/plugin.hpp"
#include "core/tensor.hpp"
#include "models/gemm_arithmetic.hpp"

namespace interplay {

struct Param {
  std::string name;  // "weight", "bias", ...: the dataset name in weight files
  Tensor value, grad;
  // Initialisation: uniform in [-init_bound, init_bound] when init_bound > 0,
  // otherwise the constant init_value.
  float init_bound = 0.0f, init_value = 0.0f;
  bool decay = true;  // weight decay applies (not to biases and norm gains)

  Param(std::string n, Shape shape, float bound, float value = 0.0f, bool wd = true)
      : name(std::move(n)),
        value(shape),
        grad(shape),
        init_bound(bound),
        init_value(value),
        decay(wd) {}
};

class Layer {
 public:
  virtual ~Layer() = default;
  virtual std::unique_ptr<Layer> clone() const = 0;
  virtual std::string kind() const = 0;
  virtual void forward(const Tensor& x, Tensor& y) = 0;
  virtual void backward(const Tensor& dy, Tensor& dx) = 0;
  // Named sub-layers of a composite layer, in forward order.
  virtual std::vector<std::pair<std::string, Layer*>> children() { return {}; }

  std::vector<Param>& params() { return params_; }
  const std::vector<Param>& params() const { return params_; }

  // False for the leading layers of a model: backward may then skip dL/dx.
  bool input_grad = true;

 protected:
  std::vector<Param> params_;
};

// Implements clone() through the derived class's copy constructor.
template <class Derived, class Base = Layer>
class LayerBase : public Base {
 public:
  using Base::Base;
  std::unique_ptr<Layer> clone() const override {
    return std::make_unique<Derived>(static_cast<const Derived&>(*this));
  }
};

// A layer whose core is a product with a weight matrix W viewed as
// [out_features, fan_in] (the reduction dimension contiguous): linear layers,
// convolutions (kernel flattened per output channel), attention projections.
// Compression acts on exactly these layers, through the hooks below.
class MatmulLayer : public Layer {
 public:
  Param& weight() { return params_.at(0); }
  const Param& weight() const { return params_.at(0); }
  std::size_t out_features() const { return weight().value.shape.at(0); }
  std::size_t fan_in() const { return weight().value.size() / out_features(); }
  // The weight as a 2-D [out_features, fan_in] tensor (a copy).
  Tensor weight_matrix() const { return Tensor({out_features(), fan_in()}, weight().value.data); }

  // When non-empty (same size as the weight), forward and dL/dx use it in
  // place of the weight, while dL/dW still goes to the weight: the
  // straight-through estimator of fine-tuning under compression.
  Tensor weight_override;
  // Applied to the GEMM operand built from the input (rows of fan_in values,
  // blocks along the reduction dimension) before the product.
  std::shared_ptr<const Quantizer> input_quantizer;
  // When set, forward keeps a copy of its output here (per-layer error probes).
  bool record_output = false;
  Tensor recorded_output;
  // When set, forward keeps a copy of its GEMM operand here: rows of fan_in
  // values exactly as they multiply the weight (im2col patches of a conv,
  // token rows of a transformer linear, after the input quantizer). These are
  // the layer inputs X of calibration-aware compression (the references'
  // forward hooks on a layer's input).
  bool record_input = false;
  Tensor recorded_input;
  // The arithmetic of this layer's GEMMs (FP32 unless a trainer sets HBFP):
  // forward (activations x weights) and both backward products.
  GemmArithmetic arithmetic;

 protected:
  const float* effective_weight() const {
    return weight_override.data.empty() ? weight().value.data.data() : weight_override.data.data();
  }
  // Quantizes `rows` ([n, fan_in]) in place when an input quantizer is set.
  void quantize_operand(Tensor& rows) const {
    if (input_quantizer) input_quantizer->quantize(rows, rows);
  }
  // One GEMM of this layer under `arithmetic` (models/gemm.hpp layout).
  void matmul(OperandClass ca, OperandClass cb, bool trans_a, bool trans_b, std::size_t m,
              std::size_t n, std::size_t k, const float* a, const float* b, float beta, float* c) {
    arithmetic_gemm(arithmetic, ca, cb, trans_a, trans_b, m, n, k, 1.0f, a, b, beta, c);
  }
  void record(const Tensor& y) {
    if (record_output) recorded_output = y;
  }
  void record_operand(const Tensor& rows) {
    if (record_input) recorded_input = rows;
  }
};

}  // namespace interplay
