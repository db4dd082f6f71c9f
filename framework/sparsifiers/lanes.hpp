#pragma once
// Lane iteration for the sparsifiers: a lane is the run of elements along
// `axis` at fixed other indices (for a matrix and axis -1: a row). Kernels
// always see contiguous lanes; strided lanes are gathered in tiles and their
// keep flags scattered back.
#include <algorithm>
#include <cstdint>
#include <vector>

#include "core/tensor.hpp"
#include "quantizers/blocks.hpp"

namespace interplay::sparsity {

namespace detail {
void scatter_flags(const std::uint8_t* src, std::uint8_t* dst, std::size_t len, std::size_t inner,
                   std::size_t width);
}  // namespace detail

// Big enough to be worth waking the OpenMP team.
inline bool worth_threads(std::size_t numel) {
  return numel > (1u << 15);
}

// For contiguous lanes (L.inner == 1): fn(first, n) over pieces
// [first, first + n) of the flat storage, in parallel. With `group` > 0 the
// kernel works on whole groups of that many elements counted from the lane
// start, so a long lane may be cut into pieces whose lengths are multiples of
// `group` (only a lane's last piece can end in a ragged group); with
// `group` == 0 every piece is one whole lane. Pieces never depend on the
// thread count.
template <class Fn>
void for_each_lane_piece(const AxisLayout& L, std::size_t group, Fn&& fn) {
  constexpr std::size_t kPiece = std::size_t(1) << 16;
  std::size_t piece = L.len;
  if (group > 0 && L.len > kPiece) piece = std::max(group, kPiece / group * group);
  const std::size_t per_lane = (L.len + piece - 1) / piece;
  const std::int64_t total = std::int64_t(L.outer * per_lane);
#pragma omp parallel for schedule(static) if (worth_threads(L.outer * L.len) && total > 1)
  for (std::int64_t j = 0; j < total; ++j) {
    const std::size_t o = std::size_t(j) / per_lane, k0 = (std::size_t(j) % per_lane) * piece;
    fn(o * L.len + k0, std::min(piece, L.len - k0));
  }
}

// Calls fn(const float* values, std::uint8_t* keep, std::size_t n) so that
// every element's keep flag is written once; `group` as above.
template <class Fn>
void for_each_lane(const Tensor& x, std::vector<std::uint8_t>& keep, int axis, std::size_t group,
                   Fn&& fn) {
  keep.resize(x.size());
  if (x.size() == 0) return;
  const AxisLayout L = axis_layout(x.shape, axis);
  const float* src = x.data.data();
  std::uint8_t* flags = keep.data();
  if (L.inner == 1) {
    for_each_lane_piece(
        L, group, [&](std::size_t first, std::size_t n) { fn(src + first, flags + first, n); });
    return;
  }
  constexpr std::size_t kTile = 16;
  const std::size_t tiles = (L.inner + kTile - 1) / kTile;
  const std::int64_t total = std::int64_t(L.outer * tiles);
#pragma omp parallel if (worth_threads(x.size()) && total > 1)
  {
    std::vector<float> values(kTile * L.len);
    std::vector<std::uint8_t> lane_keep(kTile * L.len);
#pragma omp for schedule(static)
    for (std::int64_t j = 0; j < total; ++j) {
      const std::size_t o = std::size_t(j) / tiles, t0 = (std::size_t(j) % tiles) * kTile;
      const std::size_t width = std::min(kTile, L.inner - t0);
      const std::size_t base = o * L.len * L.inner + t0;
      interplay::detail::gather_lanes(src + base, values.data(), L.len, L.inner, width);
      for (std::size_t t = 0; t < width; ++t)
        fn(values.data() + t * L.len, lane_keep.data() + t * L.len, L.len);
      detail::scatter_flags(lane_keep.data(), flags + base, L.len, L.inner, width);
    }
  }
}

}  // namespace interplay::sparsity
