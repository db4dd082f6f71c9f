#pragma once
// Partitions of a tensor's elements into quantization blocks or sparsity
// groups, materialised as one part id per element. The assumption predicates
// (nested / crossed, "every group inside one block") are computed from these,
// for the actual shape, instead of being asserted per configuration name.
#include <cstdint>
#include <vector>

#include "core/tensor.hpp"

namespace interplay::proofs {

struct Partition {
  std::vector<std::uint32_t> part;  // part id of each element (row-major)
  std::uint32_t count = 0;          // number of parts
};

Partition whole_partition(const Shape& shape);      // one part
Partition singleton_partition(const Shape& shape);  // one part per element
// Runs of `size` consecutive elements along `axis` (the last run may be
// shorter); size 0 = each whole lane along the axis is one part.
Partition axis_partition(const Shape& shape, int axis, std::size_t size);
// Per-channel scales (PyTorch/ONNX): one part per index along `channel_axis`,
// spanning every other axis.
Partition channel_partition(const Shape& shape, int channel_axis);
// Runs of `size` consecutive indices along `axis`, each spanning every other
// axis (SparseGPT's lazy blocks of columns over all rows).
Partition column_block_partition(const Shape& shape, int axis, std::size_t size);

// True when every part of `fine` lies inside a single part of `coarse`.
bool refines(const Partition& fine, const Partition& coarse);
// The two partitions are nested (one refines the other).
inline bool nested(const Partition& a, const Partition& b) {
  return refines(a, b) || refines(b, a);
}

}  // namespace interplay::proofs
