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
    layout_.whole_tensor = scaling_ != "channel";
    layout_.size = 0;
  }

  void quantize(const Tensor& in, Tensor& out) const override {
    const float fmax = static_cast<float>(format_.max_value());
    for_each_block(in, out, layout_, [&](const BlockRef& b) {
      SpanScale s;
      if (scaling_ != "none") {
        const SpanAmax m = span_amax(b.in, b.n);
        if (m.nonfinite) return fill_nan(b);
        if (m.amax > 0.0f) s = SpanScale{m.amax / fmax, 0.0f, false};
      }
      round_span(b.in, b.out, b.n, grid_, s, rounding_.mode, rounding_.draws(b), false);
    });
  }

  double bits_per_element() const override { return format_.bits(); }

 private:
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
