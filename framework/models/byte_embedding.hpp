#pragma once
// [N, T] byte values (stored as floats 0..255) -> [N, T, D]: a learned
// embedding per byte plus a learned embedding per position, the input layer
// of the `gpt` model. Parameters "weight" [256, D] (row b embeds byte b, as
// torch.nn.Embedding) and "pos_embed" [T, D]. The input is an index, so dL/dx
// is zero (it exists only to keep the layer interface uniform).
#include "models/layer.hpp"

namespace interplay {

class ByteEmbedding final : public LayerBase<ByteEmbedding> {
 public:
  ByteEmbedding(std::size_t context, std::size_t dim);
  std::string kind() const override { return "byte_embedding"; }
  void forward(const Tensor& x, Tensor& y) override;
  void backward(const Tensor& dy, Tensor& dx) override;

 private:
  std::size_t context_, dim_;
  std::vector<std::uint8_t> bytes_;  // the last input, as indices
  Shape input_shape_;
};

}  // namespace interplay
