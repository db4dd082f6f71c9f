#include "quantizers/channels.hpp"

#include "core/error.hpp"

namespace interplay {

ParamSpec channel_axis_param() {
  return ParamSpec::integer(
      "channel_axis", 0, -64, 63,
      "per-channel scales: the axis whose index selects the scale, computed over all other axes "
      "(PyTorch/ONNX convention; 0 = output channel of a weight; negative counts from the last)");
}

void throw_old_channel_axis(const std::string& plugin, const std::string& setting,
                            std::int64_t axis) {
  // Old configs named the direction a lane runs; for a 2-D [out, in] weight
  // lanes along the last axis (axis -1 / 1) meant one scale per row.
  const bool along_last = axis == -1 || axis == 1;
  throw Error(plugin + " " + setting + ": 'axis' no longer selects per-channel scales; write "
              "\"channel_axis\": " + std::string(along_last ? "0" : "1") +
              " instead of \"axis\": " + std::to_string(axis) +
              " (channel_axis is the axis whose index selects the scale, as in PyTorch/ONNX; "
              "for a 2-D [out, in] weight axis -1 meant channel_axis 0 and axis 0 meant "
              "channel_axis 1)");
}

}  // namespace interplay
