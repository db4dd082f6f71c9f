#include "proofs_check/partition.hpp"

#include <algorithm>
#include <limits>

namespace interplay::proofs {

Partition whole_partition(const Shape& shape) {
  return {std::vector<std::uint32_t>(numel(shape), 0), numel(shape) ? 1u : 0u};
}

Partition singleton_partition(const Shape& shape) {
  Partition p;
  p.part.resize(numel(shape));
  for (std::size_t i = 0; i < p.part.size(); ++i) p.part[i] = std::uint32_t(i);
  p.count = std::uint32_t(p.part.size());
  return p;
}

Partition axis_partition(const Shape& shape, int axis, std::size_t size) {
  const AxisLayout L = axis_layout(shape, axis);
  const std::size_t bs = size == 0 ? L.len : std::min(size, L.len);
  const std::size_t nb = bs ? (L.len + bs - 1) / bs : 0;
  Partition p;
  p.part.resize(numel(shape));
  for (std::size_t o = 0; o < L.outer; ++o)
    for (std::size_t k = 0; k < L.len; ++k)
      for (std::size_t i = 0; i < L.inner; ++i)
        p.part[(o * L.len + k) * L.inner + i] = std::uint32_t((o * nb + k / bs) * L.inner + i);
  p.count = std::uint32_t(L.outer * nb * L.inner);
  return p;
}

Partition channel_partition(const Shape& shape, int channel_axis) {
  if (shape.empty()) return whole_partition(shape);
  const AxisLayout L = axis_layout(shape, channel_axis, "channel_axis");
  Partition p;
  p.part.resize(numel(shape));
  for (std::size_t j = 0; j < p.part.size(); ++j) p.part[j] = std::uint32_t((j / L.inner) % L.len);
  p.count = std::uint32_t(L.len);
  return p;
}

Partition column_block_partition(const Shape& shape, int axis, std::size_t size) {
  if (shape.empty() || size == 0) return whole_partition(shape);
  const AxisLayout L = axis_layout(shape, axis);
  Partition p;
  p.part.resize(numel(shape));
  for (std::size_t j = 0; j < p.part.size(); ++j)
    p.part[j] = std::uint32_t((j / L.inner) % L.len / size);
  p.count = std::uint32_t((L.len + size - 1) / size);
  return p;
}

bool refines(const Partition& fine, const Partition& coarse) {
  constexpr std::uint32_t kUnset = std::numeric_limits<std::uint32_t>::max();
  std::vector<std::uint32_t> home(fine.count, kUnset);
  for (std::size_t i = 0; i < fine.part.size(); ++i) {
    std::uint32_t& h = home[fine.part[i]];
    if (h == kUnset)
      h = coarse.part[i];
    else if (h != coarse.part[i])
      return false;
  }
  return true;
}

}  // namespace interplay::proofs
