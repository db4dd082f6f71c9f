// OCP Microscaling (MX) v1.0: blocks of k elements along an axis share one
// E8M0 scale X = 2^(floor(log2 amax) - emax_elem), the exponent taken from the
// float encoding (exact) and clamped to E8M0's [-127, 127]. Elements are
// V/X rounded onto the element format, saturating at its largest magnitude.
// MXINT8 elements are sign + 1.6 fixed point (step 1/64, clamped to +-127/64).
#include "core/registry.hpp"
#include "quantizers/codec.hpp"
#include "quantizers/common.hpp"

namespace interplay {
namespace {

struct MxElement {
  Grid grid;
  int emax = 0;  // exponent of the largest element magnitude
  int bits = 0;
  std::string name;  // the `element` parameter
};

MxElement mx_element(const std::string& name) {
  if (name == "int8") return {fixed_grid(-6, -127.0f / 64, 127.0f / 64), 0, 8, name};
  const FloatFormat& f = float_format(name);
  return {float_grid(f, /*saturate=*/true), f.emax(), f.bits(), name};
}

class MxQuantizer final : public Quantizer {
 public:
  explicit MxQuantizer(const Params& p)
      : elem_(mx_element(p.str("element"))),
        layout_{int(p.integer("axis")), std::size_t(p.integer("block")), false},
        rounding_(RoundingPolicy::from(p)) {}

  void quantize(const Tensor& in, Tensor& out) const override {
    // The plan depends on floor(log2 amax) only: the table kernel may take it.
    quantize_amax_blocks(
        in, out, layout_, rounding_, [&](float amax) { return plan(amax); }, true);
  }

  // Each row's blocks of `block` columns; a block's E8M0 scale is fixed from
  // the current values when the solver reaches it. A block that is all zero
  // then keeps every later value at zero (its scale is undefined).
  std::unique_ptr<GroupCodec> codec(const Shape& shape, const std::string& where) const override {
    check_codec_layout(shape, layout_.axis, true, where);
    return make_codec(CodecScope::Group, layout_.size, true, rounding_, [this](const BlockRef& b) {
      const float amax = span_amax(b.in, b.n).amax;
      if (amax == 0.0f) return ValuePlan{elem_.grid, SpanScale{}, true};
      const BlockPlan p = plan(amax);
      return ValuePlan{p.grid, p.scale, p.zero};
    });
  }

  QuantizerDescription describe() const override {
    QuantizerDescription d;
    d.scales = {{Partitioning::blocks(layout_.axis, layout_.size), ScaleEncoding::PowerOfTwo}};
    d.statistic = ScaleStatistic::Amax;
    d.element = elem_.name;
    d.rounding = rounding_.mode;
    return d;
  }

  double bits_per_element(const Shape& shape) const override {
    return amortised_bits(shape, layout_, elem_.bits, 8.0);  // + one E8M0 scale per block
  }

 private:
  BlockPlan plan(float amax) const {
    const int e = std::clamp(floor_log2(amax) - elem_.emax, -127, 127);
    return BlockPlan{elem_.grid, SpanScale{exp2i(e), exp2i(-e), true}};
  }

  MxElement elem_;
  BlockLayout layout_;
  RoundingPolicy rounding_;
};

}  // namespace

void register_mx_quantizer(Registry<Quantizer>& r) {
  r.add({"mx",
         "OCP Microscaling v1.0: E8M0 shared scale per block, FP8/FP6/FP4/INT8 elements",
         {ParamSpec::choice("element", "fp8_e4m3",
                            {"fp8_e4m3", "fp8_e5m2", "fp6_e3m2", "fp6_e2m3", "fp4_e2m1", "int8"},
                            "element format (int8 = MXINT8, sign + 1.6 fixed point)"),
          ParamSpec::integer("block", 32, 1, 1 << 20, "elements per shared scale (OCP: 32)"),
          axis_param("blocks"), rounding_param(), seed_param()},
         [](const Params& p) { return std::make_unique<MxQuantizer>(p); }});
}

}  // namespace interplay
