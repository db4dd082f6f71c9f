#pragma once
// `interplay compress --input CKPT --tensors GLOB --pipeline P --output OUT.safetensors`:
// compress the matching tensors of a safetensors checkpoint (one file or a
// sharded index) and write a complete checkpoint.
#include <string>

#include "core/pipeline.hpp"

namespace interplay::cli {

struct CheckpointJob {
  std::string input, output, tensors, report, pipeline_text;
  bool quiet = false;
};

int compress_checkpoint(const CheckpointJob& job, const Pipeline& pipeline,
                        const MetricSet& metrics);

}  // namespace interplay::cli
