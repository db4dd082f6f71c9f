// Hybrid block floating point (HBFP), as defined in the paper: blocks of 64
// along an axis share the exponent e = ceil(log2 amax) (exact, from the float
// encoding); elements are sign + m-bit magnitudes, i.e. multiples of
// 2^(e-m) clamped to +-(2^e - 2^(e-m)). An all-zero block stays zero.
#include <cmath>

#include "core/registry.hpp"
#include "quantizers/codec.hpp"
#include "quantizers/common.hpp"

namespace interplay {
namespace {

class HbfpQuantizer final : public Quantizer {
 public:
  explicit HbfpQuantizer(const Params& p)
      : m_(int(p.integer("mantissa_bits"))),
        layout_{int(p.integer("axis")), std::size_t(p.integer("block")), false},
        rounding_(RoundingPolicy::from(p)) {}

  void quantize(const Tensor& in, Tensor& out) const override {
    // The plan depends on ceil(log2 amax) only: the table kernel may take it.
    quantize_amax_blocks(
        in, out, layout_, rounding_, [&](float amax) { return plan(amax); }, true);
  }

  // As MX: per row, blocks of `block` columns, exponent fixed when reached.
  std::unique_ptr<GroupCodec> codec(const Shape& shape, const std::string& where) const override {
    check_codec_layout(shape, layout_.axis, true, where);
    return make_codec(CodecScope::Group, layout_.size, true, rounding_, [this](const BlockRef& b) {
      const float amax = span_amax(b.in, b.n).amax;
      if (amax == 0.0f) return ValuePlan{Grid{}, SpanScale{}, true};
      const BlockPlan p = plan(amax);
      return ValuePlan{p.grid, p.scale, p.zero};
    });
  }

  QuantizerDescription describe() const override {
    QuantizerDescription d;
    d.scales = {{Partitioning::blocks(layout_.axis, layout_.size), ScaleEncoding::PowerOfTwo}};
    d.statistic = ScaleStatistic::Amax;
    d.element = "sign + " + std::to_string(m_) + "-bit magnitude";
    d.rounding = rounding_.mode;
    return d;
  }

  double bits_per_element(const Shape& shape) const override {
    return amortised_bits(shape, layout_, 1 + m_, 8.0);  // sign + mantissa + 8-bit exponent
  }

 private:
  BlockPlan plan(float amax) const {
    const int e = ceil_log2(amax);
    const float top = static_cast<float>(std::ldexp(1.0, e) - std::ldexp(1.0, e - m_));
    return BlockPlan{fixed_grid(e - m_, -top, top), SpanScale{}};
  }

  int m_;
  BlockLayout layout_;
  RoundingPolicy rounding_;
};

}  // namespace

void register_hbfp_quantizer(Registry<Quantizer>& r) {
  r.add({"hbfp",
         "hybrid block floating point: shared exponent ceil(log2 amax) per block, sign + m-bit "
         "mantissas",
         {ParamSpec::integer("mantissa_bits", 7, 1, 23, "magnitude bits m (HBFPk: m = k - 1)"),
          ParamSpec::integer("block", 64, 1, 1 << 20, "elements per shared exponent"),
          axis_param("blocks"), rounding_param(), seed_param()},
         [](const Params& p) { return std::make_unique<HbfpQuantizer>(p); }});
}

}  // namespace interplay
