#pragma once
// A chain of named layers; intermediate activations and gradients are kept
// in buffers reused across batches.
#include "models/layer.hpp"

namespace interplay {

class Sequential final : public LayerBase<Sequential> {
 public:
  Sequential() = default;
  Sequential(const Sequential& other);
  Sequential& operator=(const Sequential&) = delete;

  void add(std::string name, std::unique_ptr<Layer> layer);
  std::string kind() const override { return "sequential"; }
  void forward(const Tensor& x, Tensor& y) override;
  void backward(const Tensor& dy, Tensor& dx) override;
  std::vector<std::pair<std::string, Layer*>> children() override;
  std::size_t size() const { return layers_.size(); }

 private:
  std::vector<std::pair<std::string, std::unique_ptr<Layer>>> layers_;
  std::vector<Tensor> acts_, grads_;
};

}  // namespace interplay
