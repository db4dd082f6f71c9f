#include "models/training_arithmetic.hpp"

#include <algorithm>
#include <cstdio>

#include "core/error.hpp"
#include "core/rng.hpp"
#include "core/suggest.hpp"
#include "models/attention.hpp"

namespace interplay {
namespace {

const char* const kClassNames[3] = {"weights", "activations", "gradients"};

int parse_width(const json& v, const std::string& where) {
  if (!v.is_number_integer() || v.get<long long>() < 2 || v.get<long long>() > 24)
    throw Error(at(where, "expected an HBFP mantissa width 2..24 (sign included: 4 = HBFP4), got " +
                              v.dump()));
  return v.get<int>();
}

}  // namespace

int ArithmeticSchedule::width(std::size_t epoch, std::size_t epochs, std::size_t layer,
                              std::size_t layers) const {
  if (!hbfp) return 0;
  int w = mantissa;
  if (last_epochs > 0 && epoch + last_epochs >= epochs) w = std::max(w, last_epochs_mantissa);
  if (first_last_layers > 0 && (layer == 0 || layer + 1 == layers))
    w = std::max(w, first_last_layers);
  return w;
}

json ArithmeticSchedule::preset(const std::string& name, const std::string& where) {
  // Accuracy Boosters (Harma et al.): 4-bit mantissas for all but the last
  // epoch, and 6-bit ones in the last epoch and in the first and last layers.
  if (name == "boosters")
    return {{"mantissa", 4},
            {"last_epochs", {{"count", 1}, {"mantissa", 6}}},
            {"first_last_layers", 6}};
  if (name == "constant") return json::object();
  throw Error(
      at(where, unknown_name_message("arithmetic schedule", name, {"boosters", "constant"})));
}

json ArithmeticSchedule::to_json() const {
  if (!hbfp) return {{"format", "fp32"}};
  json r = json::object();
  for (int c = 0; c < 3; ++c) r[kClassNames[c]] = rounding_names()[std::size_t(rounding[c])];
  json j = {{"format", "hbfp"}, {"mantissa", mantissa}, {"block", block}, {"rounding", r}};
  if (last_epochs > 0)
    j["last_epochs"] = {{"count", last_epochs}, {"mantissa", last_epochs_mantissa}};
  if (first_last_layers > 0) j["first_last_layers"] = first_last_layers;
  if (!schedule.empty()) j["schedule"] = schedule;
  if (attention_scores) j["attention_scores"] = true;
  return j;
}

ArithmeticSchedule ArithmeticSchedule::from_json(const json& j, const std::string& where) {
  if (j.is_string()) return from_json(json{{"format", j}}, where);
  if (!j.is_object())
    throw Error(at(where, "expected \"fp32\", \"hbfp\" or an object {\"format\": \"hbfp\", ...}"));
  ArithmeticSchedule s;
  const std::string format = j.value("format", std::string("hbfp"));
  if (j.contains("format") && !j.at("format").is_string())
    throw Error(at(where + ".format", "expected \"fp32\" or \"hbfp\""));
  if (format != "fp32" && format != "hbfp")
    throw Error(
        at(where + ".format", unknown_name_message("arithmetic", format, {"fp32", "hbfp"})));
  if (format == "fp32") {
    if (j.size() > 1)
      throw Error(at(where, "\"format\": \"fp32\" takes no other keys (they configure hbfp)"));
    return s;
  }
  s.hbfp = true;
  json merged = json::object();
  if (j.contains("schedule")) {
    if (!j.at("schedule").is_string())
      throw Error(at(where + ".schedule", "expected \"boosters\" or \"constant\""));
    s.schedule = j.at("schedule").get<std::string>();
    merged = preset(s.schedule, where + ".schedule");
  }
  for (auto& [k, v] : j.items())
    if (k != "schedule" && k != "format") merged[k] = v;
  const std::vector<std::string> keys = {"format",   "schedule",        "mantissa",
                                         "block",    "last_epochs",     "first_last_layers",
                                         "rounding", "attention_scores"};
  for (auto& [k, v] : merged.items()) {
    const std::string path = where + "." + k;
    if (k == "mantissa") {
      s.mantissa = parse_width(v, path);
    } else if (k == "block") {
      if (!v.is_number_integer() || v.get<long long>() < 1 || v.get<long long>() > (1 << 20))
        throw Error(at(path, "expected a block size 1..1048576, got " + v.dump()));
      s.block = v.get<std::size_t>();
    } else if (k == "first_last_layers") {
      s.first_last_layers = v == 0 ? 0 : parse_width(v, path);
    } else if (k == "last_epochs") {
      if (!v.is_object() || !v.contains("count") || !v.contains("mantissa") || v.size() != 2)
        throw Error(at(path, "expected {\"count\": EPOCHS, \"mantissa\": WIDTH}, got " + v.dump()));
      const json& n = v.at("count");
      if (!n.is_number_integer() || n.get<long long>() < 0)
        throw Error(at(path + ".count", "expected a non-negative integer, got " + n.dump()));
      s.last_epochs = n.get<std::size_t>();
      s.last_epochs_mantissa = parse_width(v.at("mantissa"), path + ".mantissa");
    } else if (k == "attention_scores") {
      if (!v.is_boolean()) throw Error(at(path, "expected true or false, got " + v.dump()));
      s.attention_scores = v.get<bool>();
    } else if (k == "rounding") {
      if (!v.is_object())
        throw Error(at(path, "expected {\"weights\"|\"activations\"|\"gradients\": ROUNDING}"));
      for (auto& [c, r] : v.items()) {
        const auto* it = std::find(std::begin(kClassNames), std::end(kClassNames), c);
        if (it == std::end(kClassNames))
          throw Error(at(path, unknown_name_message("operand class", c,
                                                    {"activations", "gradients", "weights"})));
        if (!r.is_string()) throw Error(at(path + "." + c, "expected a rounding name"));
        try {
          s.rounding[std::size_t(it - std::begin(kClassNames))] =
              parse_rounding(r.get<std::string>());
        } catch (const Error& e) {
          throw Error(at(path + "." + c, e.what()));
        }
      }
    } else {
      throw Error(at(where, unknown_name_message("arithmetic setting", k, keys)));
    }
  }
  return s;
}

TrainingArithmetic::TrainingArithmetic(Model& model, const ArithmeticSchedule& schedule,
                                       std::uint64_t seed)
    : model_(model), schedule_(schedule), macs_(std::make_unique<MacCounter>()) {
  const auto layers = model_.matmul_layers();
  for (std::size_t i = 0; i < layers.size(); ++i) {
    GemmArithmetic& g = layers[i].layer->arithmetic;
    g = GemmArithmetic{};
    g.block = schedule.block;
    g.rounding = schedule.rounding;
    g.seed = counter_hash(seed, 0x48424650u /* "HBFP" */, i);
    g.macs = macs_.get();
  }
  std::size_t n = layers.size();
  for (auto& [path, layer] : model_.layers())
    if (auto* a = dynamic_cast<MultiHeadAttention*>(layer)) {
      a->scores = GemmArithmetic{};
      a->scores.block = schedule.block;
      a->scores.rounding = schedule.rounding;
      a->scores.seed = counter_hash(seed, 0x48424650u, n++);  // after the matmul layers'
      a->scores.macs = macs_.get();
    }
}

TrainingArithmetic::~TrainingArithmetic() {
  for (auto& [path, layer] : model_.matmul_layers()) layer->arithmetic = GemmArithmetic{};
  for (auto& [path, layer] : model_.layers())
    if (auto* a = dynamic_cast<MultiHeadAttention*>(layer)) a->scores = GemmArithmetic{};
}

void TrainingArithmetic::begin_epoch(std::size_t epoch, std::size_t epochs) {
  macs_->epoch = epoch;
  const auto layers = model_.matmul_layers();
  for (std::size_t i = 0; i < layers.size(); ++i)
    layers[i].layer->arithmetic.width = schedule_.width(epoch, epochs, i, layers.size());
  // Score products follow their block's qkv projection.
  for (auto& [path, layer] : model_.layers())
    if (auto* a = dynamic_cast<MultiHeadAttention*>(layer)) {
      a->scores.width = 0;
      if (!schedule_.attention_scores) continue;
      for (auto& m : layers)
        if (m.path == path + "/qkv") a->scores.width = m.layer->arithmetic.width;
    }
}

std::string mac_summary(const json& macs) {
  char head[64];
  std::snprintf(head, sizeof head, "MACs %.3g:", macs.at("total").get<double>());
  std::string s = head;
  bool first = true;
  for (auto& [name, f] : macs.at("fraction").items()) {
    char part[64];
    std::snprintf(part, sizeof part, "%s %s %.2f %%", first ? "" : ",", name.c_str(),
                  100.0 * f.get<double>());
    s += part;
    first = false;
  }
  return s;
}

}  // namespace interplay
