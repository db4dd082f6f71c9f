#include "models/gpt_training.hpp"

#include "models/bible_corpus.hpp"

namespace interplay {

namespace {
std::string prefix(const std::string& s, std::size_t limit) {
  return limit > 0 && limit < s.size() ? s.substr(0, limit) : s;
}
}  // namespace

GptTrainingRun train_gpt_on_bible(Model& model, const TrainConfig& config, std::size_t train_limit,
                                  std::size_t eval_limit,
                                  const std::function<void(const TrainProgress&)>& progress,
                                  const std::function<void(const std::string&)>& log) {
  const TextSplit split = split_bible(load_bible_text());
  const std::string train = prefix(split.train, train_limit);
  const std::string validation = prefix(split.validation, eval_limit);
  const std::string test = prefix(split.test, eval_limit);
  model.init(config.seed);
  if (log)
    log("training gpt (" + std::to_string(model.parameter_count()) + " parameters) on " +
        std::to_string(train.size()) + " bytes: " + config.to_json().dump());
  const TrainResult r = train_lm(model, train, config, progress);
  GptTrainingRun run;
  run.validation = evaluate_lm(model, validation);
  run.test = evaluate_lm(model, test);
  run.seconds = r.seconds;
  run.macs = r.macs;
  json& training = run.training;
  training = config.to_json();
  training["data_split"] = split.describe();
  training["train_bytes"] = train.size();
  training["epoch_loss"] = r.epoch_loss;
  training["train_seconds"] = r.seconds;
  training["evaluation"] = "non-overlapping chunks of the context (see data/README.md)";
  training["validation_bytes"] = run.validation.bytes;
  training["validation_loss"] = run.validation.loss;
  training["validation_perplexity"] = run.validation.perplexity();
  training["validation_bits_per_byte"] = run.validation.bits_per_byte();
  training["test_bytes"] = run.test.bytes;
  training["test_loss"] = run.test.loss;
  training["test_perplexity"] = run.test.perplexity();
  training["test_bits_per_byte"] = run.test.bits_per_byte();
  training["macs"] = r.macs;
  return run;
}

}  // namespace interplay
