#pragma once
// One complete gpt training run on the King James Bible split, shared by
// `interplay train --model gpt` and experiment model inputs that train their
// weights file when it is missing: the same data, the same settings, the same
// `training` attribute in the weights file.
#include <functional>
#include <string>

#include "models/lm_trainer.hpp"

namespace interplay {

struct GptTrainingRun {
  json training;  // the weights file's `training` attribute
  LmEval validation, test;
  double seconds = 0.0;
  json macs;  // MacCounter::to_json() of the training GEMMs, by width
};

// Initialises `model` with config.seed, trains it on the first `train_limit`
// training bytes (0 = all) and evaluates it on the first `eval_limit`
// validation and test bytes (0 = all).
GptTrainingRun train_gpt_on_bible(Model& model, const TrainConfig& config, std::size_t train_limit,
                                  std::size_t eval_limit,
                                  const std::function<void(const TrainProgress&)>& progress = {},
                                  const std::function<void(const std::string&)>& log = {});

}  // namespace interplay
