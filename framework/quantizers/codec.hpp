#pragma once
// The GroupCodec (core/plugin.hpp) shared by every quantizer: a quantizer
// says how one span of values fixes its rounding plan (grid + scale), using
// the same code as its quantize(), and this class keeps the plans per row
// and group and rounds single values with them through round_span.
#include <algorithm>
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/plugin.hpp"
#include "quantizers/common.hpp"

namespace interplay {

// How the scale parameters of a 2-D weight [rows x cols] are laid out along
// the calibration axis (the last one).
enum class CodecScope {
  Tensor,  // one plan for the whole W, fixed by begin()
  Row,     // one plan per row (per output channel), fixed by begin()
  Group,   // per row, one plan per `group` consecutive columns, fixed by fit_group()
};

// One value's rounding: round(x / scale) onto grid (x * 0 when `zero`: a
// scale that underflowed, or an all-zero group).
struct ValuePlan {
  Grid grid;
  SpanScale scale;
  bool zero = false;
};

class PlanCodec : public GroupCodec {
 public:
  PlanCodec(CodecScope scope, std::size_t group, bool layout_bound, RoundingPolicy rounding)
      : scope_(scope), group_(group), bound_(layout_bound), rounding_(rounding) {}

  std::size_t group_columns() const override { return scope_ == CodecScope::Group ? group_ : 0; }
  bool layout_bound() const override { return bound_; }

  void begin(const float* w, std::size_t rows, std::size_t cols) override {
    rows_ = rows;
    prepare(w, rows * cols);
    if (scope_ == CodecScope::Tensor) {
      plans_.assign(1, std::vector<ValuePlan>{plan(BlockRef{w, nullptr, rows * cols, 0, 1})});
    } else if (scope_ == CodecScope::Row) {
      plans_.assign(1, std::vector<ValuePlan>(rows));
      for (std::size_t r = 0; r < rows; ++r)
        plans_[0][r] = plan(BlockRef{w + r * cols, nullptr, cols, r * cols, 1});
    }
  }

  void fit_group(std::size_t slot, const float* w, std::size_t ld, std::size_t rows, std::size_t n,
                 std::uint64_t first_index) override {
    if (plans_.size() <= slot) plans_.resize(slot + 1);
    auto& p = plans_[slot];
    p.resize(rows);
    for (std::size_t r = 0; r < rows; ++r)
      p[r] = plan(BlockRef{w + r * ld, nullptr, n, first_index + r * ld, 1});
  }

  // The fixed plan of (slot, row): OBQ's outlier rule needs the grid spacing.
  const ValuePlan& plan_at(std::size_t slot, std::size_t row) const {
    return scope_ == CodecScope::Tensor ? plans_[0][0]
           : scope_ == CodecScope::Row  ? plans_[0][row]
                                        : plans_[slot][row];
  }

  float quantize(std::size_t slot, std::size_t row, float x, std::uint64_t index) const override {
    const ValuePlan& p = plan_at(slot, row);
    if (p.zero) return x * 0.0f;
    float out;
    round_span(&x, &out, 1, p.grid, p.scale, rounding_.mode, Draws{rounding_.seed, index, 1}, true);
    return out;
  }

 protected:
  // Tensor-level state computed from the whole original W (NVFP4's scale).
  virtual void prepare(const float* w, std::size_t n) { (void)w, (void)n; }
  // The plan of one span of finite values (b.out is null: plan only).
  virtual ValuePlan plan(const BlockRef& b) const = 0;

 private:
  CodecScope scope_;
  std::size_t group_;
  bool bound_;
  RoundingPolicy rounding_;
  std::size_t rows_ = 0;
  std::vector<std::vector<ValuePlan>> plans_;
};

// The grid spacing around a rounded value q under plan p, in q's units (0 for
// a zero plan): INT's scale, an FP grid's local quantum times the scale.
inline float grid_quantum(const ValuePlan& p, float q) {
  if (p.zero) return 0.0f;
  const float v = std::fabs(p.scale.pow2 ? q * p.scale.inv : q / p.scale.scale);
  const int e = v > 0.0f ? std::max(floor_log2(v), p.grid.emin) : p.grid.emin;
  return std::ldexp(1.0f, e - p.grid.mbits) * p.scale.scale;
}

// A codec whose plan is a lambda (most quantizers need nothing else).
template <class Fn>
class LambdaCodec final : public PlanCodec {
 public:
  LambdaCodec(CodecScope scope, std::size_t group, bool bound, RoundingPolicy r, Fn fn)
      : PlanCodec(scope, group, bound, r), fn_(std::move(fn)) {}

 protected:
  ValuePlan plan(const BlockRef& b) const override { return fn_(b); }

 private:
  Fn fn_;
};

template <class Fn>
std::unique_ptr<GroupCodec> make_codec(CodecScope scope, std::size_t group, bool bound,
                                       RoundingPolicy r, Fn fn) {
  return std::make_unique<LambdaCodec<Fn>>(scope, group, bound, r, std::move(fn));
}

// Checks a weight for the column solvers: 2-D, and (for per-row / per-group
// scales) blocks along the last axis, the calibration axis. Blocks along
// axis 0 would tie one scale to several input columns of different rows'
// error feedback; that layout is refused rather than given an ad-hoc meaning.
inline void check_codec_layout(const Shape& shape, int axis, bool uses_axis,
                               const std::string& where) {
  if (shape.size() != 2)
    throw Error(
        at(where, "calibrated solvers need a 2-D weight [out, in], got " + shape_string(shape)));
  if (uses_axis && normalize_axis(axis, 2, where + ".axis") != 1)
    throw Error(at(where + ".axis",
                   "calibrated solvers need scale blocks along the last axis "
                   "(the input axis), got axis " +
                       std::to_string(axis)));
}

}  // namespace interplay
