// Scalar floating-point element formats (FP8/FP6/FP4, BF16, FP16), with
// subnormals and round-to-format per `rounding`. Optional scaling maps the
// tensor's (or each lane's) amax onto the format's largest value:
// scale = amax / max_elem in float32, v = x / scale.
// saturate=false keeps IEEE overflow: +-Inf where the format has it (E5M2,
// BF16, FP16), NaN for OCP E4M3; finite-only formats always clamp.
#include "core/registry.hpp"
#include "quantizers/common.hpp"

namespace interplay {
namespace {

class FpQuantizer final : public Quantizer {
 public:
  explicit FpQuantizer(const Params& p)
      : format_(float_format(p.str("format"))),
        grid_(float_grid(format_, p.flag("saturate"))),
        scaling_(p.str("scale")),
        rounding_(RoundingPolicy::from(p)) {
    layout_.axis = int(p.integer("axis"));
    layout_.size = 0;  // scale=channel: one scale per lane along axis
  }

  void quantize(const Tensor& in, Tensor& out) const override {
    const float fmax = static_cast<float>(format_.max_value());
    if (scaling_ == "channel") {
      return for_each_block(in, out, layout_, [&](const BlockRef& b) {
        const SpanAmax m = span_amax(b.in, b.n);
        if (m.nonfinite) return fill_nan(b);
        round_span(b.in, b.out, b.n, grid_, scale_for(m.amax, fmax), rounding_.mode,
                   rounding_.draws(b), true);
      });
    }
    // Unscaled or one tensor scale: element-wise, so any chunking is exact;
    // chunks let OpenMP share the work and let finite chunks take the fast path.
    SpanScale s;
    if (scaling_ == "tensor") {
      const SpanAmax m = span_amax(in.data.data(), in.size());
      if (m.nonfinite) {  // the tensor scale is NaN: everything is
        out.shape = in.shape;
        out.data.assign(in.size(), std::numeric_limits<float>::quiet_NaN());
        return;
      }
      s = scale_for(m.amax, fmax);
    }
    for_each_block(in, out, BlockLayout{-1, kChunk, true}, [&](const BlockRef& b) {
      const bool finite = !span_amax(b.in, b.n).nonfinite;
      round_span(b.in, b.out, b.n, grid_, s, rounding_.mode, rounding_.draws(b), finite);
    });
  }

  // scale=tensor / channel: one FP32 scale per tensor / lane.
  double bits_per_element(const Shape& shape) const override {
    if (scaling_ == "none") return format_.bits();
    const BlockLayout layout{layout_.axis, 0, scaling_ == "tensor"};
    return amortised_bits(shape, layout, format_.bits(), 32.0);
  }

 private:
  static constexpr std::size_t kChunk = 1 << 14;

  static SpanScale scale_for(float amax, float fmax) {
    return amax > 0.0f ? SpanScale{amax / fmax, 0.0f, false} : SpanScale{};
  }

  const FloatFormat& format_;
  Grid grid_;
  std::string scaling_;
  BlockLayout layout_;
  RoundingPolicy rounding_;
};

}  // namespace

void register_fp_quantizer(Registry<Quantizer>& r) {
  r.add({"fp",
         "scalar floating-point formats (FP8 E4M3/E5M2, FP6, FP4, BF16, FP16) with subnormals",
         {ParamSpec::choice("format", "fp8_e4m3", float_format_names(), "element format"),
          ParamSpec::flag("saturate", true, "clamp overflow to the largest finite value"),
          ParamSpec::choice("scale", "none", {"none", "tensor", "channel"},
                            "map amax (per tensor / per lane along axis) onto the format max"),
          axis_param("channels for scale=channel"), rounding_param(), seed_param()},
         [](const Params& p) { return std::make_unique<FpQuantizer>(p); }});
}

}  // namespace interplay
