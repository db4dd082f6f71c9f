#include "models/sequential.hpp"

#include "core/error.hpp"

namespace interplay {

Sequential::Sequential(const Sequential& other) : LayerBase<Sequential>(other) {
  layers_.clear();
  for (const auto& [name, layer] : other.layers_) layers_.emplace_back(name, layer->clone());
}

void Sequential::add(std::string name, std::unique_ptr<Layer> layer) {
  layers_.emplace_back(std::move(name), std::move(layer));
}

std::vector<std::pair<std::string, Layer*>> Sequential::children() {
  std::vector<std::pair<std::string, Layer*>> c;
  for (auto& [name, layer] : layers_) c.emplace_back(name, layer.get());
  return c;
}

void Sequential::forward(const Tensor& x, Tensor& y) {
  if (layers_.empty()) {
    y = x;
    return;
  }
  acts_.resize(layers_.size() - 1);
  const Tensor* cur = &x;
  for (std::size_t i = 0; i < layers_.size(); ++i) {
    Tensor& out = i + 1 == layers_.size() ? y : acts_[i];
    layers_[i].second->forward(*cur, out);
    cur = &out;
  }
}

void Sequential::backward(const Tensor& dy, Tensor& dx) {
  if (layers_.empty()) {
    dx = dy;
    return;
  }
  grads_.resize(layers_.size() - 1);
  const Tensor* cur = &dy;
  for (std::size_t i = layers_.size(); i-- > 0;) {
    Tensor& out = i == 0 ? dx : grads_[i - 1];
    layers_[i].second->backward(*cur, out);
    cur = &out;
  }
}

}  // namespace interplay
