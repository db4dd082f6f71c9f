#pragma once
// Mini-batch training and evaluation of a built-in model. Shuffling is a pure
// function of (seed, epoch), so a run is reproducible bit for bit.
#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "core/params.hpp"
#include "models/dataset.hpp"
#include "models/model.hpp"
#include "models/optimizer.hpp"
#include "models/training_arithmetic.hpp"

namespace interplay {

struct TrainConfig {
  std::size_t epochs = 5, batch = 128;
  double lr = 1e-3;
  std::uint64_t seed = 0;
  OptimizerConfig optimizer;
  std::size_t warmup_steps = 0;  // linear warm-up, then cosine decay when `cosine`
  bool cosine = true;
  // The GEMM arithmetic per epoch and layer (FP32 unless "arithmetic" is set).
  ArithmeticSchedule arithmetic;

  json to_json() const;
  // Starts from `base` and overrides the keys present in `j`; errors name `where`.<key>.
  static TrainConfig from_json(const json& j, const std::string& where, const TrainConfig& base);
};

// The settings the built-in models are trained with by default.
TrainConfig default_train_config(const std::string& model);

struct TrainProgress {
  std::size_t epoch, epochs, batch, batches;
  double loss;                // running mean over the current epoch
  double samples_per_second;  // over the current epoch
  double seconds;             // since training started
};

// The report after batch `batch` (0-based) of `epoch` (0-based), shared by the
// image and the text trainers: `seen` samples so far in this epoch with loss
// sum `loss_sum`; the clocks are the epoch's and the run's start.
inline TrainProgress progress_after_batch(std::size_t epoch, std::size_t epochs, std::size_t batch,
                                          std::size_t batches, double loss_sum, std::size_t seen,
                                          std::chrono::steady_clock::time_point epoch_start,
                                          std::chrono::steady_clock::time_point start) {
  const auto now = std::chrono::steady_clock::now();
  const double dt = std::chrono::duration<double>(now - epoch_start).count();
  return {epoch + 1,
          epochs,
          batch + 1,
          batches,
          loss_sum / double(seen),
          dt > 0 ? double(seen) / dt : 0.0,
          std::chrono::duration<double>(now - start).count()};
}

// Called around every step: `before_forward` (e.g. recompute compressed
// weights from the dense ones), `after_backward` (e.g. mask gradients).
struct TrainHooks {
  std::function<void()> before_forward, after_backward;
};

struct TrainResult {
  std::vector<double> epoch_loss;  // mean training loss per epoch
  double seconds = 0.0;
  json macs;  // MacCounter::to_json() of every GEMM of the run, by width
};

TrainResult train_model(Model& model, const Dataset& data, const TrainConfig& config,
                        const std::function<void(const TrainProgress&)>& progress = {},
                        const TrainHooks& hooks = {});

struct EvalResult {
  double loss = 0.0;      // mean cross-entropy
  double accuracy = 0.0;  // fraction correct
  std::size_t count = 0;
};

EvalResult evaluate_model(Model& model, const Dataset& data, std::size_t batch = 500);

// The example order of one epoch: indices sorted by a counter-based hash.
std::vector<std::size_t> epoch_order(std::size_t n, std::uint64_t seed, std::size_t epoch);

}  // namespace interplay
