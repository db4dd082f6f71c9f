// Uniform integer quantization, in float32 arithmetic like the PyTorch
// reference code it mirrors (x / scale, round, clamp, * scale).
//  symmetric:      scale = amax / (2^(b-1) - 1), levels +-(2^(b-1) - 1)
//  asymmetric:     GPTQ/SparseGPT reference: xmin = min(x, 0), xmax = max(x, 0)
//                  (both 0 -> -1, +1), scale = (xmax - xmin) / (2^b - 1),
//                  zero = round(-xmin / scale), levels -zero .. 2^b - 1 - zero
//  gptq_symmetric: scale = 2 amax / (2^b - 1), zero 2^(b-1), levels -2^(b-1) .. 2^(b-1) - 1
// Clipping picks the range: amax, a percentile of |x|, or GPTQ's MSE grid search
// over shrink factors p = 1 - i/grid, i < maxshrink*grid, error sum |q - x|^norm.
// The zero point always rounds half to even (torch.round); `rounding` applies
// to the elements.
#include <algorithm>
#include <cmath>
#include <vector>

#include "core/registry.hpp"
#include "core/streaming.hpp"
#include "quantizers/channels.hpp"
#include "quantizers/codec.hpp"
#include "quantizers/columns.hpp"
#include "quantizers/common.hpp"
#include "quantizers/tensor_reduce.hpp"

namespace interplay {
namespace {

enum class Scheme { Symmetric, Asymmetric, GptqSymmetric };
enum class Clip { Amax, Mse, Percentile };

struct Range {
  float xmin, xmax;
};

// Levels and scale for one range: v = x / scale is clamped to [lo, hi].
struct IntScale {
  float scale;
  float lo, hi;
};

class IntQuantizer final : public Quantizer {
 public:
  explicit IntQuantizer(const Params& p) : rounding_(RoundingPolicy::from(p)) {
    bits_ = int(p.integer("bits"));
    const std::string& s = p.str("scheme");
    scheme_ = s == "symmetric"    ? Scheme::Symmetric
              : s == "asymmetric" ? Scheme::Asymmetric
                                  : Scheme::GptqSymmetric;
    const std::string& g = p.str("granularity");
    layout_.axis = int(p.integer("axis"));
    // Per-channel scales follow PyTorch/ONNX (quantizers/channels.hpp): `axis`
    // is only the direction groups run, so an old per-channel `axis` is an error.
    per_channel_ = g == "channel";
    channel_axis_ = int(p.integer("channel_axis"));
    if (per_channel_ && layout_.axis != -1)
      throw_old_channel_axis("int", "granularity=channel", p.integer("axis"));
    layout_.whole_tensor = g == "tensor";
    layout_.size = g == "channel" || g == "tensor" ? 0 : std::size_t(p.integer("block"));
    const std::string& c = p.str("clip");
    clip_ = c == "amax" ? Clip::Amax : c == "mse" ? Clip::Mse : Clip::Percentile;
    percentile_ = p.real("percentile");
    mse_grid_ = int(p.integer("mse_grid"));
    mse_maxshrink_ = p.real("mse_maxshrink");
    mse_norm_ = p.real("mse_norm");
    granularity_ = g;
  }

  void quantize(const Tensor& in, Tensor& out) const override {
    const auto group = [&](const BlockRef& b) {
      // One pass gives both the NaN/Inf check and the min/max: the range's
      // integer keys order every NaN beyond +-Inf, so a non-finite end means a
      // NaN or Inf in the block (what span_amax would say).
      const SpanRange r = span_range(b.in, b.n);
      if (!std::isfinite(r.lo) || !std::isfinite(r.hi)) return fill_nan(b);
      apply(b, fit(b, Range{std::min(r.lo, 0.0f), std::max(r.hi, 0.0f)}), b.out);
    };
    if (per_channel_ && takes_column_kernel(in)) return quantize_last_axis(in, out, group);
    if (per_channel_ && takes_row_kernel(in)) return quantize_rows(in, out, group);
    if (per_channel_) return for_each_channel(in, out, channel_axis_, group);
    if (layout_.whole_tensor) return quantize_tensor(in, out);
    for_each_block(in, out, layout_, group);
  }

  // One scale for the whole tensor, as `group` would fit it to one block,
  // but with the range taken and the elements rounded in parallel (one block
  // ran on one thread); the percentile and MSE searches still see the whole
  // tensor. Element-wise rounding with the global index: the same bits.
  void quantize_tensor(const Tensor& in, Tensor& out) const {
    if (&out != &in) out.shape = in.shape, out.data.resize(in.size());
    const std::size_t n = in.size();
    const float* x = in.data.data();
    float* y = out.data.data();
    const BlockRef whole{x, y, n, 0, 1};
    const SpanRange r = parallel_span_range(x, n);
    if (!std::isfinite(r.lo) || !std::isfinite(r.hi)) return fill_nan(whole);
    const IntScale s = fit(whole, Range{std::min(r.lo, 0.0f), std::max(r.hi, 0.0f)});
    for_each_block(in, out, BlockLayout{-1, std::size_t(1) << 14, true},
                   [&](const BlockRef& b) { apply(b, s, b.out); });
  }

  // Per tensor: one scale over W (the GPTQ reference with perchannel=False);
  // per channel: one per row, fixed from the original W (groupsize -1);
  // per group: per row, every `block` columns, fixed when the solver gets there.
  std::unique_ptr<GroupCodec> codec(const Shape& shape, const std::string& where) const override {
    const bool tensor = layout_.whole_tensor;
    if (per_channel_ && shape.size() == 2 && normalize_axis(channel_axis_, 2, where) != 0)
      throw Error(at(where, "a calibrated solver needs channel_axis 0 (one scale per output row)"));
    check_codec_layout(shape, layout_.axis, !tensor, where);
    const CodecScope scope = tensor              ? CodecScope::Tensor
                             : layout_.size == 0 ? CodecScope::Row
                                                 : CodecScope::Group;
    return make_codec(scope, layout_.size, /*layout_bound=*/false, rounding_,
                      [this](const BlockRef& b) {
                        const IntScale s = fit(b);
                        return ValuePlan{fixed_grid(0, s.lo, s.hi), SpanScale{s.scale, 0.0f, false},
                                         s.scale == 0.0f};
                      });
  }

  // The clip rule decides what the range is a function of before the scheme
  // does: a searched or percentile range is neither amax nor min/max.
  QuantizerDescription describe() const override {
    QuantizerDescription d;
    const Partitioning parts = per_channel_ ? Partitioning::channel(channel_axis_)
                               : layout_.whole_tensor
                                   ? Partitioning::tensor()
                                   : Partitioning::blocks(layout_.axis, layout_.size);
    d.scales = {{parts, ScaleEncoding::Float32}};
    d.statistic = clip_ == Clip::Mse              ? ScaleStatistic::Searched
                  : clip_ == Clip::Percentile     ? ScaleStatistic::Percentile
                  : scheme_ == Scheme::Asymmetric ? ScaleStatistic::MinMax
                                                  : ScaleStatistic::Amax;
    const char* scheme = scheme_ == Scheme::Symmetric    ? " symmetric"
                         : scheme_ == Scheme::Asymmetric ? " asymmetric"
                                                         : " gptq_symmetric";
    d.element = "int" + std::to_string(bits_) + scheme;
    d.rounding = rounding_.mode;
    return d;
  }

  // One FP32 scale per tensor / lane / group, plus a b-bit zero point for the
  // asymmetric scheme (GPTQ-symmetric's zero point is the constant 2^(b-1)).
  double bits_per_element(const Shape& shape) const override {
    const double scale_bits = 32.0 + (scheme_ == Scheme::Asymmetric ? bits_ : 0);
    if (per_channel_) return channel_amortised_bits(shape, channel_axis_, bits_, scale_bits);
    return amortised_bits(shape, layout_, bits_, scale_bits);
  }

 private:
  // Per-channel scales whose channels are contiguous rows (channel_axis 0
  // or any axis with nothing before it), nearest-even, amax clipping: see quantize_rows.
  bool takes_row_kernel(const Tensor& in) const {
    if (rounding_.mode != Rounding::NearestEven || clip_ != Clip::Amax || in.rank() < 1)
      return false;
    return axis_layout(in.shape, channel_axis_, "channel_axis").outer == 1;
  }

  // The plan of a channel from its range (span_range's ends), as `group`
  // computes it; false when the channel takes `group` instead (NaN/Inf, a
  // zero scale, a grid without the fast kernel). The row and column kernels
  // both take it.
  bool channel_plan(const SpanRange& r, FastGrid& grid, float& scale) const {
    if (!std::isfinite(r.lo) || !std::isfinite(r.hi)) return false;
    const IntScale s = scale_for(Range{std::min(r.lo, 0.0f), std::max(r.hi, 0.0f)}, 1.0);
    const Grid g = fixed_grid(0, s.lo, s.hi);
    if (s.scale == 0.0f || !g.fast) return false;
    grid = FastGrid(g), scale = s.scale;
    return true;
  }

  // Channels that are contiguous rows, each thread a contiguous share of
  // them. A channel's scale needs its whole range before any element is
  // rounded, so a plain two-pass loop alternates a read-only pass over
  // memory with a pass that only writes it. Instead one loop rounds row k
  // (in the cache since its range pass) while it takes the range of row
  // k + 1, so reads and writes stream together. The rounding is
  // round_span_fast's (x / scale, FastGrid, * scale): the same bits as
  // `group`, which still handles the channels channel_plan refuses.
  template <class Group>
  void quantize_rows(const Tensor& in, Tensor& out, const Group& group) const {
    if (&out != &in) out.shape = in.shape, out.data.resize(in.size());
    if (in.size() == 0) return;
    const AxisLayout L = axis_layout(in.shape, channel_axis_, "channel_axis");
    const std::size_t n = L.inner, rows = L.len;
    const float* x = in.data.data();
    float* y = out.data.data();
    // A big output goes through an L1 buffer to non-temporal stores
    // (core/streaming.hpp), 256 elements at a time: a plain store would first
    // read its line, a third of the pass's memory traffic. Measured on
    // 4096 x 4096 INT8 while memcpy did not scale: one thread 3.7-4.3 ->
    // 4.2-4.4 Gelem/s, two threads 5.5-6.4 -> 6.8-7.6. (Streaming whole rows
    // through a row buffer, in an earlier session, lost a third.)
    const bool stream = stream_output(in.size());
#pragma omp parallel if (rows > 1 && in.size() > (1u << 15))
    {
      const auto [first, last] = thread_share(rows);
      constexpr std::size_t kPiece = 256;
      alignas(64) float piece[kPiece];
      SpanRange next = first < last ? span_range(x + first * n, n) : SpanRange{0, 0};
      FastGrid grid{Grid{}};
      float scale = 1.0f;
      for (std::size_t k = first; k < last; ++k) {
        const float* xr = x + k * n;
        float* yr = y + k * n;
        const bool plain = channel_plan(next, grid, scale), more = k + 1 < last;
        if (!plain || !more) {
          if (more) next = span_range(xr + n, n);
          if (plain)
            round_span_fast(xr, yr, n, grid, SpanScale{scale, 0.0f, false});
          else
            group(BlockRef{xr, yr, n, k * n, 1});
          continue;
        }
        const float* xn = xr + n;
        std::int32_t lo = RangeKeys{}.lo, hi = RangeKeys{}.hi;
        // Two loops, not one with a destination chosen per piece: that one
        // measured 5-10 % slower on both paths.
        if (!stream) {
#pragma GCC ivdep
          for (std::size_t i = 0; i < n; ++i) {
            const std::int32_t key = ordered_key(float_bits(xn[i]));
            lo = key < lo ? key : lo;
            hi = key > hi ? key : hi;
            yr[i] = grid(xr[i] / scale) * scale;
          }
        } else {
          for (std::size_t p0 = 0; p0 < n; p0 += kPiece) {
            const std::size_t m = std::min(kPiece, n - p0);
            for (std::size_t i = 0; i < m; ++i) {
              const std::int32_t key = ordered_key(float_bits(xn[p0 + i]));
              lo = key < lo ? key : lo;
              hi = key > hi ? key : hi;
              piece[i] = grid(xr[p0 + i] / scale) * scale;
            }
            stream_copy(yr + p0, piece, m);
          }
        }
        next = SpanRange{key_float(lo), key_float(hi)};
      }
      if (stream) stream_fence();
    }
  }

  // Per-channel scales along the last axis of a matrix-like tensor (each
  // channel a strided column), nearest-even, amax clipping: see quantize_last_axis.
  bool takes_column_kernel(const Tensor& in) const {
    if (rounding_.mode != Rounding::NearestEven || clip_ != Clip::Amax || in.rank() < 2)
      return false;
    const AxisLayout L = axis_layout(in.shape, channel_axis_, "channel_axis");
    return L.inner == 1 && L.outer > 1;
  }

  // The column kernel (quantizers/columns.hpp) instead of gathering lanes:
  // one streaming pass takes every channel's range (span_range's integer keys,
  // per thread over a share of the rows, then combined: min and max are exact
  // in any order), the channels' plans follow, and a second pass rounds every
  // row with them. `group` redoes the special channels (NaN/Inf, a zero
  // scale, a slow grid).
  template <class Group>
  void quantize_last_axis(const Tensor& in, Tensor& out, const Group& group) const {
    if (&out != &in) out.shape = in.shape, out.data.resize(in.size());
    const AxisLayout L = axis_layout(in.shape, channel_axis_, "channel_axis");
    const std::size_t channels = L.len;
    const std::int64_t rows = std::int64_t(L.outer);
    const float* x = in.data.data();
    float* y = out.data.data();
    const bool parallel = in.size() > (1u << 15);
    std::vector<std::int32_t> lo(channels, RangeKeys{}.lo), hi(channels, RangeKeys{}.hi);
#pragma omp parallel if (parallel)
    {
      std::vector<std::int32_t> l(channels, RangeKeys{}.lo), h(channels, RangeKeys{}.hi);
      // Four rows per sweep of l and h: a quarter of their loads and stores
      // (a sweep per row cost more than reading the row).
#pragma omp for schedule(static)
      for (std::int64_t q = 0; q < (rows + 3) / 4; ++q) {
        const std::size_t r0 = std::size_t(q) * 4, r1 = std::min(std::size_t(rows), r0 + 4);
        const float* x0 = x + r0 * channels;
        if (r1 - r0 == 4) {
          const float *x1 = x0 + channels, *x2 = x1 + channels, *x3 = x2 + channels;
          for (std::size_t c = 0; c < channels; ++c) {
            const std::int32_t k0 = ordered_key(float_bits(x0[c])),
                               k1 = ordered_key(float_bits(x1[c])),
                               k2 = ordered_key(float_bits(x2[c])),
                               k3 = ordered_key(float_bits(x3[c]));
            const std::int32_t a = k0 < k1 ? k0 : k1, b = k2 < k3 ? k2 : k3;
            const std::int32_t m = a < b ? a : b;
            const std::int32_t e = k0 > k1 ? k0 : k1, f = k2 > k3 ? k2 : k3;
            const std::int32_t M = e > f ? e : f;
            l[c] = m < l[c] ? m : l[c];
            h[c] = M > h[c] ? M : h[c];
          }
          continue;
        }
        for (std::size_t r = r0; r < r1; ++r) {
          const float* row = x + r * channels;
          for (std::size_t c = 0; c < channels; ++c) {
            const std::int32_t k = ordered_key(float_bits(row[c]));
            l[c] = k < l[c] ? k : l[c];
            h[c] = k > h[c] ? k : h[c];
          }
        }
      }
#pragma omp critical
      for (std::size_t c = 0; c < channels; ++c) {
        lo[c] = std::min(lo[c], l[c]);
        hi[c] = std::max(hi[c], h[c]);
      }
    }
    ColumnPlans plans(channels);
    plans.begin();
    FastGrid grid{Grid{}};
    float scale = 1.0f;
    for (std::size_t c = 0; c < channels; ++c) {
      if (channel_plan(SpanRange{key_float(lo[c]), key_float(hi[c])}, grid, scale))
        plans.set(c, grid, scale, 0.0f);  // a general scale: x / scale
      else
        plans.set_identity(c, true);
    }
    plans.finish();
    SpecialColumns special;
    special.gather(plans, x, L.outer, channels, channels);
#pragma omp parallel for schedule(static) if (parallel)
    for (std::int64_t r = 0; r < rows; ++r)
      round_columns<false>(plans, x + std::size_t(r) * channels, y + std::size_t(r) * channels,
                           channels);
    special.redo(y, L.outer, channels, 0, group);
  }

  // The scale of one block of finite values: its range (clip), then GPTQ's
  // MSE shrink search if asked.
  IntScale fit(const BlockRef& b) const {
    return fit(b, clip_ == Clip::Percentile ? Range{0.0f, 0.0f} : min_max(b));
  }
  // The same with the block's min_max already known (unused for percentiles).
  IntScale fit(const BlockRef& b, const Range& mm) const {
    const Range r = clip_ == Clip::Percentile ? percentile_range(b) : mm;
    if (clip_ == Clip::Mse) return mse_search(b, r);
    return scale_for(r, 1.0);
  }

  static Range min_max(const BlockRef& b) {
    const SpanRange r = span_range(b.in, b.n);  // finite: checked by the caller
    return {std::min(r.lo, 0.0f), std::max(r.hi, 0.0f)};
  }

  // Linear interpolation between order statistics (numpy's default).
  static float quantile(std::vector<float>& v, double q) {
    std::sort(v.begin(), v.end());
    const double pos = q * double(v.size() - 1);
    const std::size_t i = std::size_t(pos);
    const double frac = pos - double(i);
    if (i + 1 >= v.size()) return v.back();
    return static_cast<float>(v[i] + frac * (double(v[i + 1]) - v[i]));
  }

  Range percentile_range(const BlockRef& b) const {
    std::vector<float> v(b.in, b.in + b.n);
    const double q = percentile_ / 100.0;
    if (scheme_ == Scheme::Asymmetric) {
      std::vector<float> w = v;
      return {std::min(0.0f, quantile(v, 1.0 - q)), std::max(0.0f, quantile(w, q))};
    }
    for (auto& x : v) x = std::fabs(x);
    const float a = quantile(v, q);
    return {-a, a};
  }

  IntScale scale_for(Range r, double shrink) const {
    const float p = static_cast<float>(shrink);
    float xmin = r.xmin * p, xmax = r.xmax * p;
    switch (scheme_) {
      case Scheme::Symmetric: {
        const float qmax = float((1 << (bits_ - 1)) - 1);
        const float amax = std::max(-xmin, xmax);
        if (amax == 0.0f) return {0.0f, -qmax, qmax};
        return {amax / qmax, -qmax, qmax};
      }
      case Scheme::GptqSymmetric: {
        const float maxq = float((1 << bits_) - 1), half = float(1 << (bits_ - 1));
        float amax = std::max(-xmin, xmax);
        if (amax == 0.0f) amax = 1.0f;  // GPTQ: an all-zero range becomes [-1, 1]
        return {(amax - (-amax)) / maxq, -half, maxq - half};
      }
      case Scheme::Asymmetric: {
        const float maxq = float((1 << bits_) - 1);
        if (xmin == 0.0f && xmax == 0.0f) xmin = -1.0f, xmax = 1.0f;
        const float scale = (xmax - xmin) / maxq;
        const float zero = std::nearbyint(-xmin / scale);
        return {scale, -zero, maxq - zero};
      }
    }
    return {1.0f, 0, 0};
  }

  void apply(const BlockRef& b, const IntScale& s, float* out) const {
    if (s.scale == 0.0f) {  // symmetric all-zero block: nothing to scale
      for (std::size_t i = 0; i < b.n; ++i) out[i] = b.in[i] * 0.0f;
      return;
    }
    const Grid g = fixed_grid(0, s.lo, s.hi);
    round_span(b.in, out, b.n, g, SpanScale{s.scale, 0.0f, false}, rounding_.mode,
               rounding_.draws(b), true);
  }

  IntScale mse_search(const BlockRef& b, Range r) const {
    std::vector<float> q(b.n);
    IntScale best = scale_for(r, 1.0);
    double best_err = std::numeric_limits<double>::infinity();
    const int steps = int(mse_maxshrink_ * mse_grid_);
    for (int i = 0; i < steps; ++i) {
      const IntScale s = scale_for(r, 1.0 - double(i) / mse_grid_);
      apply(b, s, q.data());
      double err = 0;
      for (std::size_t k = 0; k < b.n; ++k)
        err += std::pow(std::fabs(double(q[k]) - b.in[k]), mse_norm_);
      if (err < best_err) best_err = err, best = s;
    }
    return best;
  }

  int bits_;
  Scheme scheme_;
  Clip clip_;
  std::string granularity_;
  BlockLayout layout_;
  bool per_channel_ = false;
  int channel_axis_ = 0;
  double percentile_, mse_maxshrink_, mse_norm_;
  int mse_grid_;
  RoundingPolicy rounding_;
};

}  // namespace

void register_int_quantizer(Registry<Quantizer>& r) {
  r.add(
      {"int",
       "uniform integer quantization (symmetric, asymmetric, GPTQ-symmetric) per tensor, "
       "channel or group",
       {ParamSpec::integer("bits", 8, 2, 16, "bit width b"),
        ParamSpec::choice("scheme", "symmetric", {"symmetric", "asymmetric", "gptq_symmetric"},
                          "symmetric: levels +-(2^(b-1)-1), scale amax/(2^(b-1)-1); "
                          "asymmetric: GPTQ min/max with a zero point; "
                          "gptq_symmetric: GPTQ sym=True, scale 2 amax/(2^b-1)"),
        ParamSpec::choice("granularity", "channel", {"tensor", "channel", "group", "block"},
                          "one scale per tensor, per index along channel_axis, or per `block` "
                          "elements along axis"),
        ParamSpec::integer("block", 128, 1, 1 << 20, "group size for granularity group/block"),
        axis_param("groups (granularity group/block)"), channel_axis_param(),
        ParamSpec::choice("clip", "amax", {"amax", "mse", "percentile"},
                          "range: max magnitude, GPTQ MSE grid search, or a percentile"),
        ParamSpec::real("percentile", 99.99, 50.0, 100.0, "percentile of |x| for clip=percentile"),
        ParamSpec::integer("mse_grid", 100, 1, 10000, "shrink grid size for clip=mse"),
        ParamSpec::real("mse_maxshrink", 0.8, 0.0, 1.0, "largest shrink tried for clip=mse"),
        ParamSpec::real("mse_norm", 2.4, 0.1, 10.0, "error exponent for clip=mse"),
        rounding_param(), seed_param()},
       [](const Params& p) { return std::make_unique<IntQuantizer>(p); }});
}

}  // namespace interplay
