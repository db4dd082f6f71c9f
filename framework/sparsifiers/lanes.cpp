#include "sparsifiers/lanes.hpp"

namespace interplay::sparsity::detail {

void scatter_flags(const std::uint8_t* src, std::uint8_t* dst, std::size_t len, std::size_t inner,
                   std::size_t width) {
  for (std::size_t k = 0; k < len; ++k)
    for (std::size_t t = 0; t < width; ++t) dst[k * inner + t] = src[t * len + k];
}

}  // namespace interplay::sparsity::detail
