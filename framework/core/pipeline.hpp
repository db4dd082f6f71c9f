#pragma once
// A pipeline is an ordered list of sparsify / quantize steps. S->Q and Q->S
// are two orders of the same steps; running a pipeline keeps the output of
// every prefix, so per-step and compound errors come from one call.
#include <memory>
#include <string>
#include <vector>

#include "core/params.hpp"
#include "core/plugin.hpp"

namespace interplay {

struct PipelineStep {
  enum class Kind { Sparsify, Quantize };
  Kind kind = Kind::Quantize;
  std::string name;    // as written: a plugin or a preset
  std::string plugin;  // the plugin it resolves to
  json params;         // every parameter, defaults filled in
  std::shared_ptr<const Sparsifier> sparsifier;
  std::shared_ptr<const Quantizer> quantizer;
  std::string where;  // JSON path of the step, for errors

  // Without calibration data: a calibrated step (solver gptq, wanda,
  // sparsegpt) fails with an error naming the step.
  void apply(const Tensor& in, Tensor& out) const;
  void apply(const Tensor& in, Tensor& out, const CalibrationContext& ctx) const;
  bool needs_calibration() const;
  const char* kind_name() const { return kind == Kind::Sparsify ? "sparsifier" : "quantizer"; }
  json to_json() const;  // {"quantizer": name, ...params}: re-parses to the same step
};

class Pipeline {
 public:
  // {"steps": [step, ...]}, a bare list of steps, a single step object, or a
  // preset / plugin name string. `where` is the JSON path used in errors.
  static Pipeline from_json(const json& spec, const std::string& where = "pipeline");
  // Command-line form: inline JSON, a path to a JSON file, or a bare name.
  static Pipeline from_text(const std::string& text);

  const std::vector<PipelineStep>& steps() const { return steps_; }
  std::string label() const;  // "nm -> mxfp4"
  json to_json() const;

  // outputs[k] = result after steps 0..k.
  // `calibration` (optional) feeds the calibration-aware steps; S->Q and Q->S
  // context (held zeros, quantized input) is passed from step to step.
  std::vector<Tensor> run_prefixes(const Tensor& x, const Calibration* calibration = nullptr) const;
  Tensor apply(const Tensor& x, const Calibration* calibration = nullptr) const;
  bool needs_calibration() const;

 private:
  std::vector<PipelineStep> steps_;
};

// A list of metrics, each possibly parameterised: ["l1", {"metric": "dot", "count": 8}].
class MetricSet {
 public:
  static MetricSet from_json(const json& spec, const std::string& where = "metrics");
  static MetricSet from_names(const std::string& comma_separated);

  const std::vector<std::string>& columns() const { return columns_; }
  // One value per column.
  std::vector<double> evaluate(const Tensor& reference, const Tensor& approx,
                               const MetricContext& ctx = {}) const;

 private:
  std::vector<std::shared_ptr<const Metric>> metrics_;
  std::vector<std::string> columns_;
};

}  // namespace interplay
