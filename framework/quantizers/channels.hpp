#pragma once
// Per-channel scale groups in the PyTorch / ONNX convention
// (fake_quantize_per_channel_affine(axis=c), QuantizeLinear(axis=c)): the
// index along `channel_axis` selects the scale, and channel k's group is every
// element whose index along that axis is k, across all other axes. For a 2-D
// [out, in] weight, channel_axis 0 is one scale per row (output channel); for
// a conv weight [out, in, kh, kw] it is one scale per output filter.
//
// The group is handed to `fn` as one BlockRef (as for_each_block does).
// Channel 0..C-1 of channel_axis 0 is contiguous and passed in place with its
// own element indices. Otherwise the group is gathered: for the last axis the
// indices are still index0 + i*stride (lanes gathered in tiles); for a middle
// axis the group's elements are numbered in channel-major order
// (k * group_size + i), which keeps stochastic rounding seeded and
// thread-count free.
#include <algorithm>
#include <cstdint>
#include <vector>

#include "core/tensor.hpp"
#include "quantizers/blocks.hpp"

namespace interplay {

// Storage per element with one `scale_bits` scale per channel along
// `channel_axis` (a scalar is one channel).
inline double channel_amortised_bits(const Shape& shape, int channel_axis, double element_bits,
                                     double scale_bits) {
  const std::size_t n = numel(shape);
  if (n == 0) return element_bits;
  const std::size_t channels =
      shape.empty() ? 1 : shape[normalize_axis(channel_axis, shape.size(), "channel_axis")];
  return element_bits + scale_bits * double(channels) / double(n);
}

template <class Fn>
void for_each_channel(const Tensor& in, Tensor& out, int channel_axis, Fn&& fn) {
  if (&out != &in) out.shape = in.shape, out.data.resize(in.size());
  if (in.size() == 0) return;
  const float* x = in.data.data();
  float* y = out.data.data();
  if (in.rank() == 0) return fn(BlockRef{x, y, 1, 0, 1});  // a scalar is one channel
  const AxisLayout L = axis_layout(in.shape, channel_axis, "channel_axis");
  const std::size_t group = L.outer * L.inner;
  const std::int64_t channels = std::int64_t(L.len);
  if (L.outer == 1) {
#pragma omp parallel for schedule(static) if (channels > 1 && in.size() > (1u << 15))
    for (std::int64_t k = 0; k < channels; ++k) {
      const std::size_t start = std::size_t(k) * L.inner;
      fn(BlockRef{x + start, y + start, L.inner, start, 1});
    }
    return;
  }
  if (L.inner == 1) {
    // channel_axis is the last axis: channel k is the strided lane k of an
    // [outer, C] matrix. Gather tiles of lanes (as for_each_block does for a
    // strided axis) instead of one element at a time. 16 lanes are one cache
    // line of each row, and a padded stride keeps the gathered columns (whole
    // lanes, e.g. 4096 floats) from mapping onto the same cache sets.
    const std::size_t width = std::min<std::size_t>(L.len, 16);
    const std::size_t ld = detail::padded_stride(L.outer);
    const std::int64_t tiles = std::int64_t((L.len + width - 1) / width);
#pragma omp parallel if (tiles > 1 && in.size() > (1u << 15))
    {
      std::vector<float> src(width * ld), dst(width * ld);
#pragma omp for schedule(static)
      for (std::int64_t j = 0; j < tiles; ++j) {
        const std::size_t k0 = std::size_t(j) * width, w = std::min(width, L.len - k0);
        detail::gather_lanes(x + k0, src.data(), L.outer, L.len, w, ld);
        for (std::size_t t = 0; t < w; ++t)
          fn(BlockRef{src.data() + t * ld, dst.data() + t * ld, L.outer, k0 + t, L.len});
        detail::scatter_lanes(dst.data(), y + k0, L.outer, L.len, w, ld);
      }
    }
    return;
  }
#pragma omp parallel if (channels > 1 && in.size() > (1u << 15))
  {
    std::vector<float> src(group), dst(group);
#pragma omp for schedule(static)
    for (std::int64_t kk = 0; kk < channels; ++kk) {
      const std::size_t k = std::size_t(kk);
      for (std::size_t o = 0; o < L.outer; ++o)
        std::copy_n(x + (o * L.len + k) * L.inner, L.inner, src.data() + o * L.inner);
      fn(BlockRef{src.data(), dst.data(), group, k * group, 1});
      for (std::size_t o = 0; o < L.outer; ++o)
        std::copy_n(dst.data() + o * L.inner, L.inner, y + (o * L.len + k) * L.inner);
    }
  }
}

// The `channel_axis` parameter of per-channel scales.
ParamSpec channel_axis_param();

// The error for an old per-channel config that set `axis` (the direction a
// lane runs) where `channel_axis` (the axis that selects the scale) is meant.
[[noreturn]] void throw_old_channel_axis(const std::string& plugin, const std::string& setting,
                                         std::int64_t axis);

}  // namespace interplay
