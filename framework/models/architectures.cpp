// MLP:  flatten, fc1, relu1, ..., fcK (hidden widths from "hidden").
// CNN:  [convI (k x k, same padding), reluI, poolI (2 x 2)] per entry of
//       "channels", flatten, fc1, relu, fc2.
// ViT:  patchify, patch_embed, tokens (class token + positions), block0..,
//       norm, pool, head.
// GPT:  embed (byte + position embeddings), block0.. (causal, pre-norm),
//       norm, head (untied from the embedding, so that it is an ordinary
//       linear layer for compression studies).
#include "models/architectures.hpp"

#include "core/error.hpp"
#include "core/suggest.hpp"
#include "models/activations.hpp"
#include "models/byte_embedding.hpp"
#include "models/conv2d.hpp"
#include "models/pool.hpp"
#include "models/vit_parts.hpp"

namespace interplay {
namespace {

json defaults_for(const std::string& model) {
  json d;
  if (model == "gpt") {
    // "input" and "classes" follow from context and the byte vocabulary.
    d = {{"context", 128}, {"dim", 128}, {"depth", 4}, {"heads", 4}, {"mlp_dim", 512}};
    d["model"] = model;
    return d;
  }
  json common = {{"input", {1, 28, 28}}, {"classes", 10}};
  if (model == "mlp") d = {{"hidden", {512, 256}}};
  if (model == "cnn") d = {{"channels", {16, 32}}, {"kernel", 3}, {"hidden", 128}, {"pool", "max"}};
  if (model == "vit")
    d = {{"patch", 7}, {"dim", 64}, {"depth", 3}, {"heads", 4}, {"mlp_dim", 128}, {"pool", "cls"}};
  d.update(common);
  d["model"] = model;
  return d;
}

std::size_t positive(const json& v, const std::string& where) {
  if (!v.is_number_integer() || v.get<long long>() <= 0)
    throw Error(at(where, "expected a positive integer, got " + v.dump()));
  return v.get<std::size_t>();
}

std::vector<std::size_t> positive_list(const json& v, const std::string& where) {
  if (!v.is_array() || v.empty())
    throw Error(at(where, "expected a non-empty list of positive integers, got " + v.dump()));
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < v.size(); ++i)
    out.push_back(positive(v[i], where + "[" + std::to_string(i) + "]"));
  return out;
}

}  // namespace

json default_architecture(const std::string& model) {
  if (model != "mlp" && model != "cnn" && model != "vit" && model != "gpt")
    throw Error(unknown_name_message("model", model, {"cnn", "gpt", "mlp", "vit"}));
  return defaults_for(model);
}

json complete_architecture(const json& given, const std::string& where) {
  if (!given.is_object() || !given.contains("model") || !given.at("model").is_string())
    throw Error(
        at(where, "expected an object with \"model\": \"mlp\" | \"cnn\" | \"vit\" | \"gpt\""));
  const std::string model = given.at("model").get<std::string>();
  if (model != "mlp" && model != "cnn" && model != "vit" && model != "gpt")
    throw Error(
        at(where + ".model", unknown_name_message("model", model, {"cnn", "gpt", "mlp", "vit"})));
  json arch = defaults_for(model);
  std::vector<std::string> keys;
  for (auto& [k, v] : arch.items()) keys.push_back(k);
  for (auto& [k, v] : given.items()) {
    // A gpt file stores its derived input/classes; they are recomputed below.
    if (model == "gpt" && (k == "input" || k == "classes")) continue;
    if (!arch.contains(k)) throw Error(at(where, unknown_name_message("key", k, keys)));
    arch[k] = v;
  }
  // Type and range checks (build_architecture relies on them).
  for (auto& [k, v] : arch.items()) {
    const std::string path = where + "." + k;
    if (k == "model") continue;
    if (k == "pool") {
      const std::vector<std::string> valid = model == "vit"
                                                 ? std::vector<std::string>{"cls", "mean"}
                                                 : std::vector<std::string>{"avg", "max"};
      if (!v.is_string() ||
          std::find(valid.begin(), valid.end(), v.get<std::string>()) == valid.end())
        throw Error(at(path, "expected one of " + json(valid).dump() + ", got " + v.dump()));
    } else if (k == "input" || k == "hidden" || k == "channels") {
      if (model == "cnn" && k == "hidden")
        positive(v, path);
      else
        positive_list(v, path);
    } else {
      positive(v, path);
    }
  }
  if (model == "gpt") {
    if (std::size_t(arch["dim"]) % std::size_t(arch["heads"]))
      throw Error(at(where + ".heads", "must divide dim"));
    arch["input"] = {arch["context"]};  // [T] byte values per sequence
    arch["classes"] = 256;              // next-byte logits per position
    return arch;
  }
  if (arch["input"].size() != 3)
    throw Error(at(where + ".input", "expected [channels, height, width]"));
  if (model == "vit") {
    const std::size_t p = arch["patch"], h = arch["input"][1], w = arch["input"][2];
    if (h % p || w % p) throw Error(at(where + ".patch", "patch size must divide the image size"));
    if (std::size_t(arch["dim"]) % std::size_t(arch["heads"]))
      throw Error(at(where + ".heads", "must divide dim"));
  }
  if (model == "cnn") {
    std::size_t h = arch["input"][1], w = arch["input"][2];
    for (std::size_t i = 0; i < arch["channels"].size(); ++i) h /= 2, w /= 2;
    if (h == 0 || w == 0)
      throw Error(at(where + ".channels", "too many pooling stages for the input"));
    if (std::size_t(arch["kernel"]) % 2 == 0)
      throw Error(at(where + ".kernel", "must be odd (same padding)"));
  }
  return arch;
}

void build_architecture(const json& arch, Sequential& root) {
  const std::string model = arch.at("model");
  if (model == "gpt") {
    const std::size_t dim = arch["dim"], depth = arch["depth"];
    root.add("embed", std::make_unique<ByteEmbedding>(arch["context"], dim));
    for (std::size_t b = 0; b < depth; ++b)
      root.add("block" + std::to_string(b),
               std::make_unique<EncoderBlock>(dim, arch["heads"], arch["mlp_dim"], true));
    root.add("norm", std::make_unique<LayerNorm>(dim));
    root.add("head", std::make_unique<Linear>(dim, 256, LinearInit::Xavier));
    return;
  }
  const std::size_t c = arch["input"][0], h = arch["input"][1], w = arch["input"][2];
  const std::size_t classes = arch["classes"];
  if (model == "mlp") {
    root.add("flatten", std::make_unique<Flatten>());
    std::size_t width = c * h * w, i = 1;
    for (const auto& hidden : arch["hidden"]) {
      root.add("fc" + std::to_string(i), std::make_unique<Linear>(width, hidden));
      root.add("relu" + std::to_string(i), std::make_unique<Relu>());
      width = hidden;
      ++i;
    }
    root.add("fc" + std::to_string(i), std::make_unique<Linear>(width, classes));
  } else if (model == "cnn") {
    const std::size_t k = arch["kernel"];
    const bool max_pool = arch["pool"] == "max";
    std::size_t ch = c, hh = h, ww = w, i = 1;
    for (const auto& out : arch["channels"]) {
      const std::string n = std::to_string(i++);
      root.add("conv" + n, std::make_unique<Conv2d>(ch, out, k, k / 2));
      root.add("relu" + n, std::make_unique<Relu>());
      if (max_pool)
        root.add("pool" + n, std::make_unique<MaxPool2d>(2));
      else
        root.add("pool" + n, std::make_unique<AvgPool2d>(2));
      ch = out, hh /= 2, ww /= 2;
    }
    const std::size_t hidden = arch["hidden"];
    root.add("flatten", std::make_unique<Flatten>());
    root.add("fc1", std::make_unique<Linear>(ch * hh * ww, hidden));
    root.add("relu" + std::to_string(i), std::make_unique<Relu>());
    root.add("fc2", std::make_unique<Linear>(hidden, classes));
  } else {
    const std::size_t p = arch["patch"], dim = arch["dim"], depth = arch["depth"];
    const std::size_t heads = arch["heads"], mlp = arch["mlp_dim"];
    const bool cls = arch["pool"] == "cls";
    const std::size_t tokens = (h / p) * (w / p);
    root.add("patchify", std::make_unique<Patchify>(p));
    root.add("patch_embed", std::make_unique<Linear>(c * p * p, dim, LinearInit::Xavier));
    root.add("tokens", std::make_unique<TokenEmbedding>(tokens, dim, cls));
    for (std::size_t b = 0; b < depth; ++b)
      root.add("block" + std::to_string(b), std::make_unique<EncoderBlock>(dim, heads, mlp));
    root.add("norm", std::make_unique<LayerNorm>(dim));
    root.add("pool", std::make_unique<TokenPool>(cls));
    root.add("head", std::make_unique<Linear>(dim, classes, LinearInit::Xavier));
  }
}

}  // namespace interplay
