#include "experiment/evaluators.hpp"

#include <algorithm>
#include <limits>
#include <set>

#include "core/error.hpp"
#include "experiment/model_layers.hpp"

namespace interplay::experiment {
namespace {

std::size_t features_of(const Tensor& x) {
  return x.shape.empty() ? 1 : x.shape.back();
}

}  // namespace

std::vector<double> TensorEvaluator::run(const Point& p, const Calibration* calib) const {
  const Tensor& x = data_.inputs[p.input];
  const Tensor y = p.pipeline->apply(x, calib);
  MetricContext ctx;
  if (p.activation) ctx.activations = &data_.acts.at({*p.activation, features_of(x)});
  const auto own = data_.own_acts.find(p.input);
  if (own != data_.own_acts.end()) ctx.activations = &own->second;
  return cfg_.metrics.evaluate(x, y, ctx);
}

PointEvaluation TensorEvaluator::evaluate(const Point& p) const {
  PointEvaluation e;
  e.values = run(p, nullptr);  // uncalibrated steps never read calibration data
  return e;
}

PointEvaluation CalibratedTensorEvaluator::evaluate(const Point& p) const {
  const Tensor& x = data_.inputs[p.input];
  PointEvaluation e;
  const auto own = data_.own_calibs.find(p.input);
  e.values =
      run(p, own != data_.own_calibs.end() ? &own->second
                                           : &data_.calibs.at({*p.activation, features_of(x)}));
  return e;
}

PointEvaluation ModelEvaluator::evaluate(const Point& p) const {
  return evaluate_model_point(*data_.studies[p.input], *p.pipeline);
}

PointEvaluators::PointEvaluators(const ExperimentConfig& cfg, const std::vector<Point>& points,
                                 const std::vector<std::size_t>& todo,
                                 const std::function<void(const std::string&)>& log,
                                 bool checks_only)
    : cfg_(cfg), points_(points), tensor_(cfg, data_), calibrated_(cfg, data_), model_(data_) {
  // Inputs and activations are read or generated before any output exists.
  for (const auto& in : cfg.inputs) {
    const bool generated = in.file.empty() && !in.model;
    data_.inputs.push_back(checks_only && generated ? Tensor() : load_input(in));
    // A model layer's weight is captured with its model (load_own_data).
    shapes_.push_back((checks_only && generated) || in.model_layer ? in.shape
                                                                   : data_.inputs.back().shape);
  }
  // A model input's points run through its study (trained first if missing).
  data_.studies.resize(cfg.inputs.size());
  slots_.resize(cfg.inputs.size());
  auto slot_of = [&](const std::string& column) {
    const auto it = std::find(cfg.value_columns.begin(), cfg.value_columns.end(), column);
    if (it == cfg.value_columns.end()) throw Error("internal: no value column '" + column + "'");
    return std::size_t(it - cfg.value_columns.begin());
  };
  for (std::size_t i = 0; i < cfg.inputs.size(); ++i) {
    std::vector<std::string> cols = cfg.metrics.columns();
    if (cfg.inputs[i].model) {
      const bool needed = std::any_of(todo.begin(), todo.end(),
                                      [&](std::size_t k) { return points[k].input == i; });
      if (!needed) continue;
      data_.studies[i] = open_model_study(*cfg.inputs[i].model, log);
      cols = data_.studies[i]->columns();
    }
    for (const auto& c : cols) slots_[i].push_back(slot_of(c));
  }
  load_own_data(todo, log, checks_only);
  for (const auto& p : points) {
    if (!p.activation) continue;
    if (checks_only && cfg.activations[*p.activation].file.empty()) continue;
    auto key = std::make_pair(*p.activation, features_of(data_.inputs[p.input]));
    if (!data_.acts.count(key))
      data_.acts.emplace(key, load_activations(cfg.activations[*p.activation], key.second));
  }

  // Calibrated pipelines (solver gptq/obc, wanda, sparsegpt, obc) are fitted
  // on the input's own calibration data or on a held-out draw of the point's
  // generated activations, never on the X the output metrics are evaluated on.
  for (std::size_t k : todo) {
    const Point& p = points[k];
    if (data_.studies[p.input] || !p.pipeline->needs_calibration()) continue;
    const InputInstance& in = cfg.inputs[p.input];
    if (in.has_own_calibration()) continue;
    if (!p.activation)
      throw Error("point " + std::to_string(p.index) + " (input '" + in.name + "', " +
                  p.pipeline->label() +
                  "): a calibrated pipeline needs calibration data: give the input "
                  "\"calibration\" (X) or \"hessian\" (H), or add generated \"activations\"");
    const ActivationSpec& a = cfg.activations[*p.activation];
    if (!a.file.empty())
      throw Error("activations '" + a.name + "' (input '" + in.name +
                  "'): calibrated pipelines need the input's \"calibration\" or \"hessian\" "
                  "file, or generated activations (a held-out draw is used for calibration)");
    const std::size_t features = features_of(data_.inputs[p.input]);
    const auto key = std::make_pair(*p.activation, features);
    if (checks_only || data_.calibs.count(key)) continue;
    // Rows [n, n + calibration_rows) of the same generator: the same
    // distribution (the correlated generator's rotation comes from its seed),
    // samples the metrics never see. GPTQ needs n >> in: fitted on few samples it
    // overfits and loses to RTN on held-out data.
    const std::size_t n_cal = a.calibration_rows ? a.calibration_rows : a.rows;
    ActivationSpec longer = a;
    longer.rows = a.rows + n_cal;
    const Tensor both = load_activations(longer, features);
    Tensor held_out({n_cal, features});
    std::copy(both.data.begin() + std::ptrdiff_t(a.rows * features), both.data.end(),
              held_out.data.begin());
    data_.calibs.emplace(
        key, Calibration::from_inputs(std::move(held_out),
                                      "activations '" + a.name + "' (calibration draw)"));
  }
}

// Inputs that bring their own data: files named by the input, or a model
// layer's inputs captured from its trained model (all layers of one model
// file in one pass). Only inputs some point of `todo` uses are loaded.
void PointEvaluators::load_own_data(const std::vector<std::size_t>& todo,
                                    const std::function<void(const std::string&)>& log,
                                    bool checks_only) {
  std::set<std::size_t> used;
  for (std::size_t k : todo) used.insert(points_[k].input);
  std::map<std::string, std::vector<std::size_t>> by_model;  // weights file -> inputs
  for (std::size_t i : used) {
    const InputInstance& in = cfg_.inputs[i];
    if (in.model_layer) by_model[in.model_layer->model->weights].push_back(i);
    if (in.own_activations) data_.own_acts.emplace(i, load_tensor(*in.own_activations));
    if (in.calibration_x)
      data_.own_calibs.emplace(
          i, Calibration::from_inputs(load_tensor(*in.calibration_x), in.calibration_x->source));
    if (in.calibration_h)
      data_.own_calibs.emplace(
          i, Calibration::from_hessian(load_tensor(*in.calibration_h), in.calibration_h->source));
  }
  for (const auto& [weights, inputs] : by_model) {
    std::vector<const ModelLayerRef*> refs;
    for (std::size_t i : inputs) refs.push_back(cfg_.inputs[i].model_layer.get());
    if (checks_only) {  // what can fail: training a missing model
      ensure_trained(*refs.front()->model, log);
      continue;
    }
    std::vector<CapturedLayer> layers = capture_model_layers(refs, log);
    for (std::size_t j = 0; j < inputs.size(); ++j) {
      const std::size_t i = inputs[j];
      data_.inputs[i] = std::move(layers[j].weight);
      data_.own_acts.emplace(i, std::move(layers[j].eval_x));
      data_.own_calibs.emplace(
          i, Calibration::from_inputs(std::move(layers[j].calib_x),
                                      cfg_.inputs[i].name + " (inputs on training images)"));
    }
  }
}

// Every (pipeline, input shape) pair is tried once on a zero tensor of that
// shape before any output exists: an axis the input lacks or a block that does
// not divide it fails now with the point named, not at point 15 after the
// journal was created (which would then make --resume refuse the fixed config).
void PointEvaluators::check_pipelines_fit(const std::vector<std::size_t>& todo) const {
  std::set<std::pair<std::string, Shape>> tried;
  std::map<Shape, Tensor> zeros;
  for (const std::size_t k : todo) {
    const Point& p = points_[k];
    if (cfg_.inputs[p.input].model)
      check_model_pipeline(*cfg_.inputs[p.input].model, *p.pipeline,
                           "point " + std::to_string(p.index));
    // A model study checks its own layers; calibrated pipelines are fitted per
    // point on their calibration data and check their shapes when they run.
    if (cfg_.inputs[p.input].model || p.pipeline->needs_calibration()) continue;
    const Shape& shape = shapes_[p.input];
    if (!tried.insert({p.pipeline->to_json().dump(), shape}).second) continue;
    auto z = zeros.find(shape);
    if (z == zeros.end()) z = zeros.emplace(shape, Tensor(shape)).first;
    try {
      (void)p.pipeline->apply(z->second);
    } catch (const std::exception& e) {
      throw Error("point " + std::to_string(p.index) + " (input '" + cfg_.inputs[p.input].name +
                  "', shape " + shape_string(shape) + ", " + p.pipeline->label() +
                  "): " + e.what());
    }
  }
}

std::vector<double> PointEvaluators::evaluate(const Point& p) const {
  try {
    const PointEvaluator& e = data_.studies[p.input] ? static_cast<const PointEvaluator&>(model_)
                              : p.pipeline->needs_calibration()
                                  ? static_cast<const PointEvaluator&>(calibrated_)
                                  : static_cast<const PointEvaluator&>(tensor_);
    const PointEvaluation raw = e.evaluate(p);
    std::vector<double> values(cfg_.point_value_count(), std::numeric_limits<double>::quiet_NaN());
    for (std::size_t i = 0; i < raw.values.size(); ++i) values[slots_[p.input][i]] = raw.values[i];
    // Each of the study's replicate columns into its slot among cfg.replicate_columns.
    const std::size_t B = cfg_.replicate_count;
    for (std::size_t c = 0; c < raw.replicate_columns.size(); ++c) {
      const auto& all = cfg_.replicate_columns;
      const auto slot =
          std::size_t(std::find(all.begin(), all.end(), raw.replicate_columns[c]) - all.begin());
      if (slot == all.size() || raw.replicates.size() < (c + 1) * B)
        throw Error("replicate column '" + raw.replicate_columns[c] + "' has no slot");
      std::copy_n(raw.replicates.begin() + std::ptrdiff_t(c * B), B,
                  values.begin() + std::ptrdiff_t(cfg_.value_columns.size() + slot * B));
    }
    return values;
  } catch (const std::exception& e) {
    throw Error("point " + std::to_string(p.index) + " (" + p.id + ", input '" +
                cfg_.inputs[p.input].name + "', " + p.pipeline->label() + "): " + e.what());
  }
}

}  // namespace interplay::experiment
