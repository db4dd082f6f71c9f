#include "quantizers/blocks.hpp"

namespace interplay {

ParamSpec axis_param(const std::string& what) {
  return ParamSpec::integer("axis", -1, -64, 63,
                            what + " run along this axis (negative counts from the last)");
}

namespace detail {

void gather_lanes(const float* src, float* dst, std::size_t len, std::size_t inner,
                  std::size_t width) {
  for (std::size_t k = 0; k < len; ++k)
    for (std::size_t t = 0; t < width; ++t) dst[t * len + k] = src[k * inner + t];
}

void scatter_lanes(const float* src, float* dst, std::size_t len, std::size_t inner,
                   std::size_t width) {
  for (std::size_t k = 0; k < len; ++k)
    for (std::size_t t = 0; t < width; ++t) dst[k * inner + t] = src[t * len + k];
}

}  // namespace detail
}  // namespace interplay
