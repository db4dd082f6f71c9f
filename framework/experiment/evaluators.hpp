#pragma once
// Turning one point into its row of values, one evaluator per input kind:
//
//   TensorEvaluator            pipeline on a tensor input, metrics on the result
//                              (and on the point's activations, if any);
//   CalibratedTensorEvaluator  the same, with the pipeline fitted on the input's
//                              own calibration data (X or H from files, or a
//                              model layer's inputs on training images) or else
//                              on a held-out draw of the point's generated
//                              activations;
//   ModelEvaluator             a pipeline applied to a built-in model's layers,
//                              the model study's columns.
//
// PointEvaluators loads (or generates, or trains) everything the points to run
// need, once, before any output exists, and dispatches each point to the
// evaluator of its kind. Evaluation is const and thread-safe: the thread
// scheduler and the MPI worker ranks call it concurrently or remotely, and the
// values are identical wherever a point runs.
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/calibration.hpp"
#include "core/tensor.hpp"
#include "experiment/config.hpp"
#include "models/model_input.hpp"

namespace interplay::experiment {

// Everything the evaluators read; built by PointEvaluators::prepare.
struct EvaluationData {
  std::vector<Tensor> inputs;                                  // per input (empty for models)
  std::map<std::pair<std::size_t, std::size_t>, Tensor> acts;  // (activation, features)
  std::map<std::pair<std::size_t, std::size_t>, Calibration> calibs;  // (activation, features)
  // Per input that brings its own (InputInstance::own_activations,
  // calibration_x/_h, model_layer): held-out X and calibration data.
  std::map<std::size_t, Tensor> own_acts;
  std::map<std::size_t, Calibration> own_calibs;
  std::vector<std::unique_ptr<ModelStudy>> studies;  // per input, when needed
};

class PointEvaluator {
 public:
  virtual ~PointEvaluator() = default;
  // The values of the point's input kind, in the order of that kind's columns
  // (and, for model points, the test-set replicates of the replicate columns).
  virtual PointEvaluation evaluate(const Point& p) const = 0;
};

class TensorEvaluator : public PointEvaluator {
 public:
  TensorEvaluator(const ExperimentConfig& cfg, const EvaluationData& data)
      : cfg_(cfg), data_(data) {}
  PointEvaluation evaluate(const Point& p) const override;

 protected:
  std::vector<double> run(const Point& p, const Calibration* calib) const;
  const ExperimentConfig& cfg_;
  const EvaluationData& data_;
};

class CalibratedTensorEvaluator : public TensorEvaluator {
 public:
  using TensorEvaluator::TensorEvaluator;
  PointEvaluation evaluate(const Point& p) const override;
};

class ModelEvaluator : public PointEvaluator {
 public:
  explicit ModelEvaluator(const EvaluationData& data) : data_(data) {}
  PointEvaluation evaluate(const Point& p) const override;

 private:
  const EvaluationData& data_;
};

class PointEvaluators {
 public:
  // Loads what the points `todo` (indices into `points`) need; model inputs
  // none of them uses are not opened. `log` gets one-line progress messages.
  // With `checks_only` (rank 0 of an MPI job, which never evaluates) nothing
  // is generated: files are still read and models opened (or trained), which
  // is what can fail, but synthetic inputs and activations, which cannot, are
  // left to the workers; evaluate() must not be called then.
  PointEvaluators(const ExperimentConfig& cfg, const std::vector<Point>& points,
                  const std::vector<std::size_t>& todo,
                  const std::function<void(const std::string&)>& log, bool checks_only = false);

  // Every (pipeline, input shape) pair of `todo` tried once on zeros, so a
  // pipeline that does not fit its input fails before any file is created.
  void check_pipelines_fit(const std::vector<std::size_t>& todo) const;

  // cfg.point_value_count() values: one per cfg.value_columns (NaN for the
  // columns of other input kinds), then the replicates of
  // cfg.replicate_columns (NaN for tensor points). Errors are rethrown as one
  // line naming the point.
  std::vector<double> evaluate(const Point& p) const;

 private:
  void load_own_data(const std::vector<std::size_t>& todo,
                     const std::function<void(const std::string&)>& log, bool checks_only);

  const ExperimentConfig& cfg_;
  const std::vector<Point>& points_;
  EvaluationData data_;
  std::vector<std::vector<std::size_t>> slots_;  // per input: into value_columns
  std::vector<Shape> shapes_;                    // per input, also when not generated
  TensorEvaluator tensor_;
  CalibratedTensorEvaluator calibrated_;
  ModelEvaluator model_;
};

}  // namespace interplay::experiment
