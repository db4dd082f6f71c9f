// Scalar floating-point element formats (FP8/FP6/FP4, BF16, FP16), with
// subnormals and round-to-format per `rounding`. Optional scaling maps the
// tensor's (or each lane's) amax onto the format's largest value:
// scale = amax / max_elem in float32, v = x / scale.
// saturate=false keeps IEEE overflow: +-Inf where the format has it (E5M2,
// BF16, FP16), NaN for OCP E4M3; finite-only formats always clamp.
#include "core/registry.hpp"
#include "quantizers/channels.hpp"
#include "quantizers/codec.hpp"
#include "quantizers/common.hpp"
#include "quantizers/tensor_reduce.hpp"

namespace interplay {
namespace {

class FpQuantizer final : public Quantizer {
 public:
  explicit FpQuantizer(const Params& p)
      : format_(float_format(p.str("format"))),
        grid_(float_grid(format_, p.flag("saturate"))),
        scaling_(p.str("scale")),
        rounding_(RoundingPolicy::from(p)) {
    // scale=channel follows PyTorch/ONNX (quantizers/channels.hpp); the old
    // `axis` named the lane direction and is refused with what to write.
    channel_axis_ = int(p.integer("channel_axis"));
    if (p.integer("axis") != -1) throw_old_channel_axis("fp", "scale=channel", p.integer("axis"));
  }

  void quantize(const Tensor& in, Tensor& out) const override {
    const float fmax = static_cast<float>(format_.max_value());
    if (scaling_ == "channel") {
      return for_each_channel(in, out, channel_axis_, [&](const BlockRef& b) {
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
      const SpanAmax m = parallel_span_amax(in.data.data(), in.size());
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

  QuantizerDescription describe() const override {
    QuantizerDescription d;
    if (scaling_ == "channel")
      d.scales = {{Partitioning::channel(channel_axis_), ScaleEncoding::Float32}};
    else if (scaling_ == "tensor")
      d.scales = {{Partitioning::tensor(), ScaleEncoding::Float32}};
    d.statistic = d.scales.empty() ? ScaleStatistic::None : ScaleStatistic::Amax;
    d.element = format_.name;
    d.rounding = rounding_.mode;
    return d;
  }

  // scale=tensor / channel: one FP32 scale per tensor / lane.
  double bits_per_element(const Shape& shape) const override {
    if (scaling_ == "none") return format_.bits();
    if (scaling_ == "channel")
      return channel_amortised_bits(shape, channel_axis_, format_.bits(), 32.0);
    return amortised_bits(shape, BlockLayout{-1, 0, true}, format_.bits(), 32.0);
  }

  // Unscaled: one fixed plan; scale=tensor: one scale from the original W;
  // scale=channel: one per output row (channel_axis 0 of a 2-D weight).
  std::unique_ptr<GroupCodec> codec(const Shape& shape, const std::string& where) const override {
    const bool channel = scaling_ == "channel";
    if (channel && shape.size() == 2 && normalize_axis(channel_axis_, 2, where) != 0)
      throw Error(at(where, "a calibrated solver needs channel_axis 0 (one scale per output row)"));
    check_codec_layout(shape, -1, channel, where);
    const float fmax = static_cast<float>(format_.max_value());
    const bool scaled = scaling_ != "none";
    return make_codec(channel ? CodecScope::Row : CodecScope::Tensor, 0, false, rounding_,
                      [this, fmax, scaled](const BlockRef& b) {
                        const SpanScale s =
                            scaled ? scale_for(span_amax(b.in, b.n).amax, fmax) : SpanScale{};
                        return ValuePlan{grid_, s, false};
                      });
  }

 private:
  // Element-wise chunks: each is read twice (the NaN/Inf check, then the
  // rounding), and short chunks keep the two reads close. Measured on
  // 4096 x 4096 FP8 E4M3, one thread: chunks of 16 Ki elements ran at
  // 3.2-3.4 Gelem/s (3.5-3.7 in place), of 1 Ki at 3.0-3.7 (4.8-5.0), of 256
  // at 4.2-4.7 (5.8-5.9); 128 was no faster. (Non-temporal stores, through
  // an L1 buffer, gained 5-10 % on two threads when memcpy did not scale and
  // lost as much when it did: not kept.)
  static constexpr std::size_t kChunk = 256;

  static SpanScale scale_for(float amax, float fmax) {
    return amax > 0.0f ? SpanScale{amax / fmax, 0.0f, false} : SpanScale{};
  }

  const FloatFormat& format_;
  Grid grid_;
  std::string scaling_;
  int channel_axis_ = 0;
  RoundingPolicy rounding_;
};

}  // namespace

void register_fp_quantizer(Registry<Quantizer>& r) {
  r.add({"fp",
         "scalar floating-point formats (FP8 E4M3/E5M2, FP6, FP4, BF16, FP16) with subnormals",
         {ParamSpec::choice("format", "fp8_e4m3", float_format_names(), "element format"),
          ParamSpec::flag("saturate", true, "clamp overflow to the largest finite value"),
          ParamSpec::choice("scale", "none", {"none", "tensor", "channel"},
                            "map amax (per tensor / per index along channel_axis) onto the "
                            "format max"),
          channel_axis_param(),
          ParamSpec::integer("axis", -1, -64, 63,
                             "obsolete (write channel_axis); any value but -1 is an error"),
          rounding_param(), seed_param()},
         [](const Params& p) { return std::make_unique<FpQuantizer>(p); }});
}

}  // namespace interplay
