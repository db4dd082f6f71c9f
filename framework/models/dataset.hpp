#pragma once
// Fashion-MNIST in memory: images as float32 [N, 1, 28, 28], normalised as
// (pixel / 255 - 0.2860) / 0.3530 (the training-set mean and std), and labels.
#include <cstdint>
#include <string>
#include <vector>

#include "core/tensor.hpp"

namespace interplay {

struct Dataset {
  Tensor images;  // [N, C, H, W]
  std::vector<std::uint8_t> labels;

  std::size_t size() const { return labels.size(); }
  // Gathers examples `indices[0..n)` into x [n, C, H, W] and y.
  void gather(const std::size_t* indices, std::size_t n, Tensor& x,
              std::vector<std::uint8_t>& y) const;
  // The contiguous range [begin, begin + n).
  void slice(std::size_t begin, std::size_t n, Tensor& x, std::vector<std::uint8_t>& y) const;
};

constexpr float kFashionMean = 0.2860f, kFashionStd = 0.3530f;

// $INTERPLAY_FASHION_MNIST if set, else /usr/share/datasets/fashion-mnist.
std::string fashion_mnist_dir();

// split: "train" (60 000) or "test" (10 000); limit > 0 keeps the first `limit`.
Dataset load_fashion_mnist(const std::string& split, std::size_t limit = 0,
                           const std::string& dir = fashion_mnist_dir());

}  // namespace interplay
