// NVFP4: FP4 E2M1 elements in blocks of 16 with an FP8 E4M3 block scale and
// an FP32 per-tensor scale (two-level scaling), all in float32 arithmetic:
//   g   = (448 * 6) / amax_tensor                  per-tensor encode scale
//   s_b = e4m3((amax_b / 6) * g)                   block scale, nearest even, <= 448
//   d_b = s_b / g                                  block decode scale
//   y   = e2m1(x / d_b) * d_b                      elements saturate at +-6
// A block whose scale rounds to 0 becomes zero; NaN/Inf make the block NaN
// (amax_tensor is taken over finite values).
#include <cmath>
#include <memory>

#include <omp.h>

#include "core/registry.hpp"
#include "core/streaming.hpp"
#include "core/thread_share.hpp"
#include "quantizers/codec.hpp"
#include "quantizers/common.hpp"
#include "quantizers/tensor_reduce.hpp"

namespace interplay {
namespace {

// parallel_span_amax (quantizers/tensor_reduce.hpp) that also keeps every
// block of 16's amax encoding (block_amax[k] for elements 16k..16k+15; n a
// multiple of 16): the pass is bound by reading memory, so the blocks'
// maxima cost it little, and the rounding pass then reads them instead of
// taking them again. Each thread
// reads its share of the blocks (thread_share) front to back, which
// quantize_blocks16 relies on.
SpanAmax parallel_block_amax(const float* x, std::size_t n, std::uint32_t* block_amax) {
  constexpr std::size_t kPrefetchBlocks = 256;  // 16 KiB
  const std::size_t blocks = n / 16;
  std::uint32_t m = 0;
#pragma omp parallel reduction(max : m) if (n > (1u << 15))
  {
    const auto [first, last] = thread_share(blocks);
    std::uint32_t tm = 0;  // a plain local, which the loop vectorises with
    for (std::size_t k = first; k < last; ++k) {
      // A read-only pass waits on memory latency: asking 16 KiB ahead made it
      // about a third faster here (the hardware prefetcher alone runs short).
      if (k + kPrefetchBlocks < last) __builtin_prefetch(x + (k + kPrefetchBlocks) * 16);
      const std::uint32_t bm = amax_bits(x + k * 16, 16);
      block_amax[k] = bm;
      tm = bm > tm ? bm : tm;
    }
    m = tm > m ? tm : m;
  }
  return {bits_float(m), m >= 0x7f800000u};
}

class Nvfp4Quantizer final : public Quantizer {
 public:
  explicit Nvfp4Quantizer(const Params& p)
      : elem_(float_grid(float_format("fp4_e2m1"), true)),
        scale_(float_grid(float_format("fp8_e4m3"), true)),
        scale_round_(scale_),
        layout_{int(p.integer("axis")), std::size_t(p.integer("block")), false},
        rounding_(RoundingPolicy::from(p)) {}

  void quantize(const Tensor& in, Tensor& out) const override {
    if (takes_block16_kernel(in)) {
      // Not initialised: the first pass writes every entry.
      std::unique_ptr<std::uint32_t[]> block_amax(new std::uint32_t[in.size() / 16]);
      const float g =
          tensor_scale(in.data.data(), in.size(),
                       parallel_block_amax(in.data.data(), in.size(), block_amax.get()));
      const auto plan = [&](float amax) { return block_plan(amax, g); };
      return quantize_blocks16(in, out, g, block_amax.get(), amax_block(rounding_, plan));
    }
    const float g = tensor_scale(in.data.data(), in.size());
    const auto plan = [&](float block_amax) { return block_plan(block_amax, g); };
    quantize_amax_blocks(in, out, layout_, rounding_, plan);
  }

  // The common case (blocks of 16 that tile contiguous lanes, nearest-even)
  // takes a kernel that fixes the plans of a chunk of blocks in one
  // vectorised loop: one scalar plan per 16 elements cost as much as the
  // elements.
  bool takes_block16_kernel(const Tensor& in) const {
    if (layout_.whole_tensor || layout_.size != 16 || in.size() == 0 ||
        rounding_.mode != Rounding::NearestEven || !elem_.fast || !scale_.fast)
      return false;
    const AxisLayout L = axis_layout(in.shape, layout_.axis);
    return L.inner == 1 && L.len % 16 == 0;
  }

  // Per chunk of blocks, with each block's amax from the first pass
  // (block_amax, as span_amax takes it): the blocks' scales as
  // block_plan computes it (E4M3 nearest-even of (amax / 6) * g through the
  // same FastGrid::round, then / g), then its elements as round_span_fast
  // rounds them. A block that is not plain (NaN/Inf, all zero, a scale that is
  // not finite or rounds to 0) goes to `block`, the per-block code.
  template <class Block>
  void quantize_blocks16(const Tensor& in, Tensor& out, float g, const std::uint32_t* block_amax,
                         const Block& block) const {
    if (&out != &in) out.shape = in.shape, out.data.resize(in.size());
    constexpr std::size_t kBlocks = 64;
    const std::size_t blocks = in.size() / 16;
    const float* x = in.data.data();
    float* y = out.data.data();
    const FastGrid elem(elem_), sr = scale_round_;
    const bool big = stream_output(in.size());
#pragma omp parallel if (blocks > kBlocks && in.size() > (1u << 15))
    {
      const auto [first, last] = thread_share(blocks);
      // With two or more threads, whose memory traffic is the limit (this
      // pass reads x a second time), a chunk's output goes through an L1
      // buffer to non-temporal stores (core/streaming.hpp), a line at a time
      // as its blocks are done. Measured on 4096 x 4096, two threads, when
      // memcpy did not scale: 3.8-4.2 -> 4.8-5.1 Gelem/s.
      const bool stream = big && omp_get_num_threads() > 1;
      alignas(64) float buffer[kBlocks * 16];
      for (std::size_t b0 = first; b0 < last; b0 += kBlocks) {
        float* const yc = stream ? buffer : y + b0 * 16;
        const std::size_t nb = std::min(kBlocks, last - b0);
        const std::uint32_t* amax = block_amax + b0;
        float scale[kBlocks];
        std::uint32_t plain[kBlocks];
        for (std::size_t k = 0; k < nb; ++k) {
          const float v = (bits_float(amax[k]) / 6.0f) * g;
          const float sb = FastGrid::round(v, sr.neg_bound, sr.pos_bound, sr.max, sr.overflow_value,
                                           sr.emin, sr.mbits);
          scale[k] = sb / g;
          plain[k] = std::uint32_t(amax[k] != 0) & std::uint32_t(amax[k] < 0x7f800000u) &
                     std::uint32_t((float_bits(v) & 0x7f800000u) != 0x7f800000u) &
                     std::uint32_t(sb != 0.0f);
        }
        StreamCopy lines(y + b0 * 16, buffer);
        for (std::size_t k = 0; k < nb; ++k) {
          const std::size_t at = (b0 + k) * 16;
          if (!plain[k]) {
            block(BlockRef{x + at, yc + k * 16, 16, at, 1});
          } else {
            const float s = scale[k];
            const float* xb = x + at;
            float* yb = yc + k * 16;
            // In place too: element i reads only xb[i] (ivdep, not restrict).
#pragma GCC ivdep
            for (std::size_t i = 0; i < 16; ++i) yb[i] = elem(xb[i] / s) * s;
          }
          if (stream && k % 4 == 3) lines.produced((k + 1) * 16);
        }
        if (stream) lines.finish(nb * 16);
      }
      if (stream) stream_fence();
    }
  }

  // The tensor scale from the whole original W (once, as the solver starts);
  // each row's blocks of 16 columns fix their E4M3 scale when reached.
  std::unique_ptr<GroupCodec> codec(const Shape& shape, const std::string& where) const override;

  float tensor_scale(const float* x, std::size_t n) const {
    return tensor_scale(x, n, parallel_span_amax(x, n));
  }
  // The same from the tensor's span_amax `all`.
  float tensor_scale(const float* x, std::size_t n, const SpanAmax& all) const {
    float amax = all.amax;
    if (all.nonfinite) {  // rare: the tensor scale is taken over the finite values
      amax = 0;
      for (std::size_t i = 0; i < n; ++i)
        if (std::isfinite(x[i])) amax = std::max(amax, std::fabs(x[i]));
    }
    return amax > 0 ? (448.0f * 6.0f) / amax : 1.0f;
  }

  BlockPlan block_plan(float block_amax, float g) const {
    // One scale per 16 elements: the float32 kernel (exact on the E4M3 grid,
    // no libm calls) rather than the double reference, which cost as much as
    // the block's elements. A non-finite value (g overflowed) takes the reference.
    const float v = (block_amax / 6.0f) * g;
    const float sb = scale_.fast && std::isfinite(v)
                         ? scale_round_(v)
                         : static_cast<float>(round_to_grid(v, scale_, Rounding::NearestEven, 0.0));
    return BlockPlan{elem_, SpanScale{sb / g, 0.0f, false}, sb == 0.0f};
  }

  const BlockLayout& layout() const {
    return layout_;
  }
  const RoundingPolicy& rounding() const {
    return rounding_;
  }
  const Grid& element_grid() const {
    return elem_;
  }

  // E4M3 scale per block plus the FP32 per-tensor scale.
  // Two scale levels: an element's scale depends on its block and on the tensor.
  QuantizerDescription describe() const override {
    QuantizerDescription d;
    d.scales = {{Partitioning::blocks(layout_.axis, layout_.size), ScaleEncoding::E4M3},
                {Partitioning::tensor(), ScaleEncoding::Float32}};
    d.statistic = ScaleStatistic::Amax;
    d.element = "fp4_e2m1";
    d.rounding = rounding_.mode;
    return d;
  }

  double bits_per_element(const Shape& shape) const override {
    return amortised_bits(shape, layout_, 4.0, 8.0, 32.0);
  }

 private:
  Grid elem_, scale_;
  FastGrid scale_round_;
  BlockLayout layout_;
  RoundingPolicy rounding_;
};

class Nvfp4Codec final : public PlanCodec {
 public:
  explicit Nvfp4Codec(const Nvfp4Quantizer& q)
      : PlanCodec(CodecScope::Group, q.layout().size, true, q.rounding()), q_(q) {}

 protected:
  void prepare(const float* w, std::size_t n) override { g_ = q_.tensor_scale(w, n); }
  ValuePlan plan(const BlockRef& b) const override {
    const float amax = span_amax(b.in, b.n).amax;
    if (amax == 0.0f) return ValuePlan{q_.element_grid(), SpanScale{}, true};
    const BlockPlan p = q_.block_plan(amax, g_);
    return ValuePlan{p.grid, p.scale, p.zero};
  }

 private:
  const Nvfp4Quantizer& q_;
  float g_ = 1.0f;
};

std::unique_ptr<GroupCodec> Nvfp4Quantizer::codec(const Shape& shape,
                                                  const std::string& where) const {
  check_codec_layout(shape, layout_.axis, true, where);
  return std::make_unique<Nvfp4Codec>(*this);
}

}  // namespace

void register_nvfp4_quantizer(Registry<Quantizer>& r) {
  r.add({"nvfp4",
         "NVIDIA FP4: E2M1 elements, E4M3 scale per 16-element block, FP32 per-tensor scale",
         {ParamSpec::integer("block", 16, 1, 1 << 20, "elements per E4M3 block scale"),
          axis_param("blocks"), rounding_param(), seed_param()},
         [](const Params& p) { return std::make_unique<Nvfp4Quantizer>(p); }});
}

}  // namespace interplay
