#pragma once
// The three plugin interfaces. Each call processes a whole tensor, so the
// one virtual call is amortised over the hot loop inside the plugin.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/calibration.hpp"
#include "core/description.hpp"
#include "core/tensor.hpp"

namespace interplay {

// A quantizer seen by a calibration solver (GPTQ, OBC, SparseGPT's joint
// pass). The solver walks a 2-D weight W [rows x cols] one column at a time
// and changes the columns it has not reached yet (error feedback), so the
// scale parameters cannot be computed from the final values the way
// quantize() does: they are fixed from the *current* W when the solver
// reaches a scale group (as the GPTQ reference does for its groups), and
// single values are then rounded with those fixed parameters. The grid, the
// scale rule and the rounding stay the quantizer's own, so every format works
// with every solver.
class GroupCodec {
 public:
  virtual ~GroupCodec() = default;
  // Columns per scale group along the calibration axis (the last one);
  // 0 = the parameters are fixed once by begin() (per tensor or per row).
  virtual std::size_t group_columns() const = 0;
  // True when the groups are the storage format's blocks (MX, NVFP4, HBFP):
  // they must stay consecutive original columns, so act_order needs
  // static_groups. False for INT groups (the reference's g_idx semantics).
  virtual bool layout_bound() const = 0;
  // Once, with the original W (before any update or dead-column zeroing, as
  // the references call find_params(W)): per-tensor / per-row parameters
  // and any tensor-level scale (NVFP4).
  virtual void begin(const float* w, std::size_t rows, std::size_t cols) = 0;
  // Fixes group `slot`'s parameters for every row from the current values
  // w[r * ld + k], k < n; `first_index` is the flat index of w[0].
  virtual void fit_group(std::size_t slot, const float* w, std::size_t ld, std::size_t rows,
                         std::size_t n, std::uint64_t first_index) = 0;
  // Rounds one value of row `row` with group `slot`'s fixed parameters
  // (slot ignored when group_columns() == 0); `index` = the element's flat
  // index in W (stochastic rounding draws from it, as quantize() does).
  virtual float quantize(std::size_t slot, std::size_t row, float x, std::uint64_t index) const = 0;
};

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
  // The solver's view of this quantizer for a 2-D weight of `shape`; throws
  // Error (naming `where`) when the layout cannot be solved column-wise.
  // nullptr: this quantizer does not support calibration solvers.
  virtual std::unique_ptr<GroupCodec> codec(const Shape& shape, const std::string& where) const {
    (void)shape, (void)where;
    return nullptr;
  }
  // What this quantizer is, for its parameters (core/description.hpp): scale
  // partitions, scale rule, element grid, rounding, solver support. Declared
  // once here; proofs_check, list-plugins and the tests derive from it.
  virtual QuantizerDescription describe() const = 0;
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
  // What this sparsifier is, for its parameters (core/description.hpp):
  // groups, unit, score, update, whether it needs calibration.
  virtual SparsifierDescription describe() const = 0;
  // Calibration-aware sparsifiers (wanda, sparsegpt, obc) say so in their
  // description and implement sparsify_calibrated; the pipeline refuses to
  // run them without calibration data. Data-free sparsifiers ignore the context.
  bool needs_calibration() const { return describe().calibration; }
  virtual void sparsify_calibrated(const Tensor& in, Tensor& out,
                                   const CalibrationContext& ctx) const {
    (void)ctx;
    sparsify(in, out);
  }
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
