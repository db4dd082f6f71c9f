#pragma once
// Compressing a built-in model: a pipeline applied to the weight matrix
// [out_features, fan_in] of selected linear / conv / attention layers, an
// optional quantizer on those layers' inputs, and the fixed-mask form of a
// pipeline that fine-tuning needs.
#include <memory>
#include <string>
#include <vector>

#include "core/pipeline.hpp"
#include "models/model.hpp"

namespace interplay {

// Which matmul layers are compressed. By default every one except the first
// and the last (the usual protocol: input and classifier layers stay dense).
struct LayerSelection {
  bool include_first = false, include_last = false;
  // When non-empty, only layers whose path matches one of these patterns
  // ('*' matches any run of characters, e.g. "block*/attn/*").
  std::vector<std::string> only;
  std::vector<std::string> exclude;  // patterns removed afterwards

  json to_json() const;
  static LayerSelection from_json(const json& j, const std::string& where);
};

bool path_matches(const std::string& pattern, const std::string& path);
std::vector<NamedMatmul> select_layers(Model& model, const LayerSelection& selection);

// A pipeline bound to one weight tensor: each sparsify step's mask is chosen
// once, on the tensor it is frozen on (in the pipeline's order, so for Q->S
// on the quantized weights), and reused; quantize steps always re-run. On the
// tensor it was frozen on, apply() equals Pipeline::apply bit for bit.
class FrozenPipeline {
 public:
  FrozenPipeline(const Pipeline& pipeline, const Tensor& weights);
  void apply(const Tensor& weights, Tensor& out) const;
  // keep[i] = 0 where any sparsify step pruned element i; empty if none.
  const std::vector<std::uint8_t>& kept() const { return kept_; }

 private:
  Pipeline pipeline_;
  std::vector<std::vector<std::uint8_t>> masks_;  // one per step (empty for quantize steps)
  std::vector<std::uint8_t> kept_;
};

// Replaces each selected layer's weights by pipeline(weights) and sets the
// input quantizer (may be null). For evaluation without fine-tuning.
void compress_weights(Model& model, const Pipeline& pipeline, const LayerSelection& selection,
                      std::shared_ptr<const Quantizer> input_quantizer);

}  // namespace interplay
