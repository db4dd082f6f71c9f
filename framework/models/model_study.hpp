#pragma once
// Model-level compression studies: one trained model, many pipelines. A
// ModelStudy holds what every point shares (the dense model, the test data,
// the dense results and per-layer reference outputs); evaluate() runs one
// point on a private copy of the model, so points can run in parallel.
//
// Per point: the pipeline is applied to the weight matrix [out, fan_in] of
// each selected layer (LayerSelection), optionally with a quantizer on those
// layers' inputs, optionally fine-tuned with the pipeline in the forward pass
// (masks fixed once chosen, straight-through gradient); then evaluated.
// Pipelines that need calibration data (GPTQ/OBQ solvers, wanda, sparsegpt,
// obc) get each layer's inputs captured on training images (layer_calibration.hpp).
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "models/compression.hpp"
#include "models/dataset.hpp"
#include "models/example_eval.hpp"
#include "models/layer_calibration.hpp"
#include "models/trainer.hpp"

namespace interplay {

struct ModelStudyOptions {
  LayerSelection layers;
  // null: weights only. "same": the pipeline's last quantize step also
  // quantizes the inputs of the selected layers (nothing for a pipeline
  // without one). Otherwise a quantizer step ({"quantizer": ...} or a preset name).
  json activation_quantizer;
  // gpt only, same values: the operands of every attention block's two
  // activation products, Q K^T and A V (MultiHeadAttention::matmul_quantizer).
  json attention_quantizer;
  std::size_t test_bytes = 0;  // gpt only: the first N bytes of the test books (0 = all)
  TrainConfig finetune = no_finetuning();  // epochs 0 (no fine-tuning), lr 1e-4
  std::size_t finetune_images = 0;         // first N training images (0 = all)
  std::size_t test_images = 0;             // first N test images (0 = all)
  std::size_t probe_images = 256;          // first N test images: the per-layer error batch
  ModelCalibrationOptions calibration;     // for pipelines that need calibration data

  static TrainConfig no_finetuning() {
    TrainConfig c;
    c.epochs = 0;
    c.lr = 1e-4;
    return c;
  }
  json to_json() const;
  // Keys: layers, activation_quantizer, attention_quantizer, finetune
  // {epochs, lr, batch, ..., images}, test_images, test_bytes, probe_images,
  // calibration {images, sequential}. For gpt, "images" of finetune counts
  // training bytes, probe_images and calibration.images count windows of
  // the context.
  // Errors name `where`.<key>.
  static ModelStudyOptions from_json(const json& j, const std::string& where);
};

// Test-set resampling, stored with every model point: for each column of
// example_replicate_columns(), kExampleReplicates means over bootstrap
// replicate b's multiset of test examples (stats::example_replicate_means,
// bootstrap seed 0). The multisets depend only on b and the number of test
// images, so they are the same for every point, seed and input: a table can
// then resample seeds and examples together (crossed and paired, as
// stats::bootstrap_contrast does) from the stored replicates alone.
//
// For gpt the examples are the test text's evaluation chunks (lm_trainer.hpp:
// non-overlapping windows of the context): the unit of resampling is a chunk,
// and chunk i's value is its summed loss divided by the mean chunk length,
// so that the mean over all chunks is exactly the per-byte test loss.
inline constexpr std::size_t kExampleReplicates = 1000;
const std::vector<std::string>& example_replicate_columns();  // classifiers
const std::vector<std::string>& lm_replicate_columns();       // gpt
// The replicate columns of a model kind.
const std::vector<std::string>& replicate_columns_of(const std::string& model_kind);

struct PointEvaluation {
  std::vector<double> values;      // ModelStudy::columns()
  std::vector<double> replicates;  // column c's replicate b at c * kExampleReplicates + b
  std::vector<std::string> replicate_columns;  // the c's above
};

// The texts of a gpt study: the test text is evaluated in chunks (the
// examples); the training text gives fine-tuning and calibration windows.
struct LmTexts {
  std::string test, train;
};

class ModelStudy {
 public:
  // `train` may be empty when options.finetune.epochs == 0; calibrated
  // pipelines take their images from its first options.calibration.images,
  // or, when it is empty, from the source given to set_calibration_source.
  ModelStudy(const Model& dense, ModelStudyOptions options, Dataset test, Dataset train = {});
  // A gpt study (`dense` must be a gpt model): perplexity instead of accuracy.
  ModelStudy(const Model& dense, ModelStudyOptions options, LmTexts texts);
  // Loads the calibration images on first need (so that studies without
  // calibrated pipelines never read the training set). Call before evaluating.
  void set_calibration_source(std::function<Dataset()> load) { calib_source_ = std::move(load); }

  // Result columns, in order:
  //   test_accuracy, test_loss          on the test images
  //   accuracy_drop, loss_increase      reference - compressed accuracy, compressed -
  //                                     reference loss: 0 for the empty pipeline, so the
  //                                     orthogonality gap E(S->Q) - E(S) - E(Q) of these
  //                                     columns is the distance to THEORY's M1 threshold
  //                                     (> 0: worse than the threshold)
  //   weight_rel_l2, weight_sparsity    over all selected weights (vs the trained weights)
  //   layer_err.<path>                  ||y - y_ref|| / ||y_ref|| of every matmul layer's
  //                                     output on the probe batch ('/' -> '.')
  // For gpt (lower is better everywhere):
  //   test_loss, test_perplexity,       nats per byte, exp(loss), loss / ln 2 on the
  //   test_bits_per_byte                test text's chunks
  //   loss_increase, perplexity_increase  compressed - reference
  //   weight_rel_l2, weight_sparsity
  //   layer_err.<path>                  as above, on the first probe_images chunks; after
  //                                     each block's matmuls also layer_err.block<k>, the
  //                                     residual stream leaving block k
  // The reference is the trained model itself, or with fine-tuning the trained
  // model fine-tuned by the same protocol without compression (nor activation
  // quantization): compression is measured against the same training budget.
  const std::vector<std::string>& columns() const { return columns_; }
  const std::vector<std::string>& replicate_columns() const {
    return replicate_columns_of(dense_model_->kind());
  }
  std::vector<double> evaluate(const Pipeline& pipeline) const;
  // The same values and the test-set replicates of example_replicate_columns().
  PointEvaluation evaluate_point(const Pipeline& pipeline) const;

  // Per-example loss and correctness on the test images with `pipeline`
  // applied (the empty pipeline: the reference), for paired bootstraps.
  // For gpt: the chunk values described at kExampleReplicates, no correctness.
  // Thread-safe.
  ExampleResults evaluate_examples(const Pipeline& pipeline) const;

  const EvalResult& dense_result() const { return dense_; }  // of the reference
  const ModelStudyOptions& options() const { return options_; }
  // Paths of the layers the pipeline is applied to.
  std::vector<std::string> selected_layers() const;

 private:
  std::shared_ptr<const Quantizer> activation_quantizer(const Pipeline& pipeline) const;
  std::shared_ptr<const Quantizer> attention_quantizer(const Pipeline& pipeline) const;
  void finish_setup();  // the reference, its replicates and probe outputs; the columns
  ExampleResults examples_of(Model& model, EvalResult& summary) const;
  // A private copy of the dense model with `pipeline` applied to the selected
  // layers (and `act` on their inputs, `attn` on the attention products),
  // fine-tuned when the options say so.
  std::unique_ptr<Model> compress_and_tune(const Pipeline& pipeline,
                                           std::shared_ptr<const Quantizer> act,
                                           std::shared_ptr<const Quantizer> attn) const;
  const Tensor& calibration_images() const;  // loaded once, thread-safe

  std::unique_ptr<Model> dense_model_;
  ModelStudyOptions options_;
  Dataset test_, train_, probe_;
  bool lm_ = false;
  LmTexts texts_;  // gpt only
  EvalResult dense_;
  std::vector<std::vector<double>> dense_replicates_;  // accuracy, loss of the reference
  std::vector<Tensor> dense_outputs_;                  // per matmul layer, on the probe batch
  std::vector<std::string> columns_;
  std::function<Dataset()> calib_source_;
  mutable std::once_flag calib_once_;
  mutable Dataset calib_;
};

// ModelStudy::columns() of a model (depends only on its architecture).
std::vector<std::string> model_study_columns(Model& model);

// Sets `q` as the matmul quantizer of every attention layer of `model`.
void set_attention_quantizer(Model& model, std::shared_ptr<const Quantizer> q);

// The quantizer of a pipeline's last quantize step, or null.
std::shared_ptr<const Quantizer> last_quantizer(const Pipeline& pipeline);

}  // namespace interplay
