#pragma once
// Block layout: how a tensor is cut into the blocks that share one scale.
// Blocks run along `axis`, `size` elements each; a ragged last block is just
// shorter (equivalent to zero padding for amax-based scales, and padding never
// reaches the output). size 0 = one block per lane (per channel);
// whole_tensor = the flattened tensor is the one lane (axis ignored).
#include <algorithm>
#include <cstdint>
#include <vector>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "core/params.hpp"
#include "core/tensor.hpp"
#include "core/thread_share.hpp"

namespace interplay {

struct BlockLayout {
  int axis = -1;
  std::size_t size = 32;  // 0: the whole lane
  bool whole_tensor = false;
};

// How many scales (blocks) `layout` cuts a tensor of `shape` into: lanes x
// ceil(len / size) (one per lane for size 0, one for whole_tensor). Throws like
// axis_layout for an axis the shape does not have. Used for honest bit counts.
std::size_t block_count(const Shape& shape, const BlockLayout& layout);

// Bits per element: `element_bits` plus `scale_bits` per block of `layout`
// plus `tensor_bits` once, amortised over numel(shape) (element_bits alone
// for an empty tensor).
double amortised_bits(const Shape& shape, const BlockLayout& layout, double element_bits,
                      double scale_bits, double tensor_bits = 0.0);

// The `axis` parameter every blocked plugin shares.
ParamSpec axis_param(const std::string& what);

// A block handed to a kernel: `n` contiguous values (gathered if the axis is
// not the last), and the flat index of element i in the tensor, index0 + i*stride.
struct BlockRef {
  const float* in;
  float* out;
  std::size_t n;
  std::uint64_t index0, stride;
};

namespace detail {
// Lane t of `width` strided lanes (element k at src[k * inner + t]) <-> the
// contiguous row dst[t * ld .. t * ld + len) (ld = len unless given).
void gather_lanes(const float* src, float* dst, std::size_t len, std::size_t inner,
                  std::size_t width, std::size_t ld = 0);
void scatter_lanes(const float* src, float* dst, std::size_t len, std::size_t inner,
                   std::size_t width, std::size_t ld = 0);
// A row stride for gathered lanes of `len` floats that keeps the rows off the
// same L1/L2 sets: a power-of-two len (4096 floats = 16 KiB) would put every
// row's k-th element in one set and thrash the cache on each gathered column.
inline std::size_t padded_stride(std::size_t len) {
  return len + 16;
}
}  // namespace detail

// Calls fn(const BlockRef&) for every block, in parallel across blocks. `fn`
// must only touch its own block, which makes the result thread-count free.
template <class Fn>
void for_each_block(const Tensor& in, Tensor& out, const BlockLayout& layout, Fn&& fn) {
  if (&out != &in) out.shape = in.shape, out.data.resize(in.size());
  if (in.size() == 0) return;
  AxisLayout L =
      layout.whole_tensor ? AxisLayout{1, in.size(), 1} : axis_layout(in.shape, layout.axis);
  const std::size_t bs = layout.size == 0 ? L.len : std::min(layout.size, L.len);
  const std::size_t nb = (L.len + bs - 1) / bs;
  const float* x = in.data.data();
  float* y = out.data.data();
  if (L.inner == 1) {
    // Each thread takes one contiguous range of blocks and steps (lane, block)
    // forward, instead of a 64-bit division and modulo per block (tens of
    // cycles of latency next to a 32-element block's few vector operations).
    const std::size_t total = L.outer * nb;
#pragma omp parallel if (total > 1 && in.size() > (1u << 15))
    {
      const auto [lo, hi] = thread_share(total);
      std::size_t o = lo / nb, b = lo % nb;
      for (std::size_t j = lo; j < hi; ++j) {
        const std::size_t start = o * L.len + b * bs, n = std::min(bs, L.len - b * bs);
        fn(BlockRef{x + start, y + start, n, start, 1});
        if (++b == nb) b = 0, ++o;
      }
    }
    return;
  }
  // Strided axis: gather a tile of `width` lanes x one block row range into
  // contiguous rows (small enough for L1), process, scatter back.
  const std::size_t width =
      std::min<std::size_t>(L.inner, std::clamp<std::size_t>(8192 / bs, 8, 64));
  const std::size_t tiles = (L.inner + width - 1) / width;
  const std::int64_t total = std::int64_t(L.outer * nb * tiles);
#pragma omp parallel if (total > 1 && in.size() > (1u << 15))
  {
    std::vector<float> src(width * bs), dst(width * bs);
#pragma omp for schedule(static)
    for (std::int64_t j = 0; j < total; ++j) {
      const std::size_t tile = std::size_t(j) % tiles, ob = std::size_t(j) / tiles;
      const std::size_t o = ob / nb, k0 = (ob % nb) * bs, n = std::min(bs, L.len - k0);
      const std::size_t t0 = tile * width, w = std::min(width, L.inner - t0);
      const std::size_t base = o * L.len * L.inner + k0 * L.inner + t0;
      detail::gather_lanes(x + base, src.data(), n, L.inner, w);
      for (std::size_t t = 0; t < w; ++t)
        fn(BlockRef{src.data() + t * n, dst.data() + t * n, n, base + t, L.inner});
      detail::scatter_lanes(dst.data(), y + base, n, L.inner, w);
    }
  }
}

}  // namespace interplay
