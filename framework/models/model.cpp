#include "models/model.hpp"

#include <functional>

#include "core/error.hpp"
#include "core/rng.hpp"
#include "models/architectures.hpp"

namespace interplay {
namespace {

// Depth-first walk in forward order: fn(path, layer) for every layer.
void walk(Layer& layer, const std::string& path,
          const std::function<void(const std::string&, Layer&)>& fn) {
  fn(path, layer);
  for (auto& [name, child] : layer.children())
    walk(*child, path.empty() ? name : path + "/" + name, fn);
}

bool has_parameters(Layer& layer) {
  bool any = false;
  walk(layer, "", [&](const std::string&, Layer& l) { any = any || !l.params().empty(); });
  return any;
}

// FNV-1a: a stable stream id per parameter path.
std::uint64_t path_stream(const std::string& s) {
  std::uint64_t h = 1469598103934665603ULL;
  for (unsigned char ch : s) h = (h ^ ch) * 1099511628211ULL;
  return h;
}

}  // namespace

Model::Model(const json& architecture, const std::string& where)
    : arch_(complete_architecture(architecture, where)) {
  build_architecture(arch_, root_);
  // The leading layers up to the first one with parameters need no dL/dx.
  for (auto& [name, child] : root_.children()) {
    child->input_grad = false;
    if (has_parameters(*child)) break;
  }
}

Model::Model(const Model& other) : arch_(other.arch_), root_(other.root_) {}

Shape Model::input_shape() const {
  return arch_.at("input").get<Shape>();
}
std::size_t Model::classes() const {
  return arch_.at("classes").get<std::size_t>();
}

void Model::init(std::uint64_t seed) {
  for (auto& [path, layer] : parameter_layers())
    for (Param& p : layer->params()) {
      const std::uint64_t stream = path_stream(path + "/" + p.name);
      for (std::size_t i = 0; i < p.value.size(); ++i)
        p.value.data[i] = p.init_bound > 0.0f
                              ? (2.0f * uniform24(seed, stream, i) - 1.0f) * p.init_bound
                              : p.init_value;
    }
}

void Model::forward(const Tensor& x, Tensor& logits) {
  const Shape in = input_shape();
  if (kind() == "gpt") {  // byte sequences [N, t], any length t up to the context
    if (x.rank() != 2 || x.shape[1] == 0 || x.shape[1] > in[0])
      throw Error("model expects byte sequences [N, t] with 1 <= t <= " + std::to_string(in[0]) +
                  ", got " + shape_string(x.shape));
    root_.forward(x, logits);
    return;
  }
  if (x.rank() != in.size() + 1 || !std::equal(in.begin(), in.end(), x.shape.begin() + 1))
    throw Error("model expects inputs [N, " + shape_string(in).substr(1) + ", got " +
                shape_string(x.shape));
  root_.forward(x, logits);
}

void Model::backward(const Tensor& dlogits) {
  Tensor unused;
  root_.input_grad = false;
  root_.backward(dlogits, unused);
}

std::vector<NamedLayer> Model::parameter_layers() {
  std::vector<NamedLayer> out;
  walk(root_, "", [&](const std::string& path, Layer& l) {
    if (!l.params().empty()) out.push_back({path, &l});
  });
  return out;
}

std::vector<NamedLayer> Model::layers() {
  std::vector<NamedLayer> out;
  walk(root_, "", [&](const std::string& path, Layer& l) {
    if (!path.empty()) out.push_back({path, &l});
  });
  return out;
}

std::vector<NamedMatmul> Model::matmul_layers() {
  std::vector<NamedMatmul> out;
  walk(root_, "", [&](const std::string& path, Layer& l) {
    if (auto* m = dynamic_cast<MatmulLayer*>(&l)) out.push_back({path, m});
  });
  return out;
}

std::vector<Param*> Model::parameters() {
  std::vector<Param*> out;
  for (auto& [path, layer] : parameter_layers())
    for (Param& p : layer->params()) out.push_back(&p);
  return out;
}

std::size_t Model::parameter_count() {
  std::size_t n = 0;
  for (Param* p : parameters()) n += p->value.size();
  return n;
}

}  // namespace interplay
