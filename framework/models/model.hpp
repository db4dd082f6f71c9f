#pragma once
// A built-in model: a validated architecture description (JSON) and the layer
// tree it builds. Layers are addressed by '/'-joined paths ("block0/attn/qkv"),
// which are also the group names in weight files.
#include <cstdint>
#include <string>
#include <vector>

#include "core/params.hpp"
#include "models/sequential.hpp"

namespace interplay {

struct NamedLayer {
  std::string path;
  Layer* layer;
};
struct NamedMatmul {
  std::string path;
  MatmulLayer* layer;
};

class Model {
 public:
  // {"model": "mlp" | "cnn" | "vit" | "gpt", ...}; missing keys take their defaults,
  // unknown keys and bad values are errors naming `where`.<key>.
  explicit Model(const json& architecture, const std::string& where = "architecture");
  Model(const Model& other);
  Model& operator=(const Model&) = delete;

  const json& architecture() const { return arch_; }  // complete, defaults filled in
  std::string kind() const { return arch_.at("model").get<std::string>(); }
  Shape input_shape() const;  // per example, e.g. [1, 28, 28]
  std::size_t classes() const;

  // Deterministic initialisation: every parameter element is a pure function
  // of (seed, parameter path, index).
  void init(std::uint64_t seed);
  void forward(const Tensor& x, Tensor& logits);
  void backward(const Tensor& dlogits);

  // Layers that own parameters, in forward order, with their paths.
  std::vector<NamedLayer> parameter_layers();
  // Every layer, composite ones included (e.g. gpt's "block0"), in forward order.
  std::vector<NamedLayer> layers();
  // The layers compression acts on (linear, conv, attention projections), in forward order.
  std::vector<NamedMatmul> matmul_layers();
  std::vector<Param*> parameters();
  std::size_t parameter_count();

 private:
  json arch_;
  Sequential root_;
};

// The architecture keys, with defaults, of one model kind (for docs and help).
json default_architecture(const std::string& model);

}  // namespace interplay
