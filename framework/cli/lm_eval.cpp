// `interplay lm-eval --model FILE.h5 [--pipeline P] [--activations]`: the
// validation and test perplexity of a trained gpt model, dense and with a
// compression pipeline applied to the weights of its decoder blocks' linear
// layers (attention qkv and proj, fc1, fc2; the embedding and the head stay
// dense, as in the usual LLM protocol), optionally also to those layers'
// inputs and the attention products (Q K^T, A v). The single-point form of the
// model-level studies in perplexity (experiment `model` inputs give sweeps).
#include <cstdio>
#include <optional>

#include "cli/command.hpp"
#include "core/error.hpp"
#include "core/pipeline.hpp"
#include "models/bible_corpus.hpp"
#include "models/compression.hpp"
#include "models/lm_trainer.hpp"
#include "models/model_study.hpp"
#include "models/weights_file.hpp"

namespace interplay::cli {

int cmd_lm_eval(const std::vector<std::string>& args) {
  po::options_description opts("lm-eval options");
  opts.add_options()("model", po::value<std::string>()->required(),
                     "gpt weights file (.h5, from `train --model gpt`)")(
      "pipeline", po::value<std::string>(), "compression pipeline (JSON, file or preset name)")(
      "activations",
      "also quantize the compressed layers' inputs with the pipeline's last quantizer")(
      "attention",
      "also quantize the attention products' operands (Q K^T, A v) with the pipeline's last "
      "quantizer")("layers", po::value<std::vector<std::string>>()->multitoken(),
                   "layer path patterns to compress (default: block*)")(
      "test-limit", po::value<std::size_t>()->default_value(0),
      "evaluate on the first N validation and test bytes (0 = all)");
  po::variables_map vm;
  if (!parse_command_line("lm-eval", "--model FILE.h5 [--pipeline P] [--activations] [--attention]",
                          args, opts, {}, vm))
    return 0;
  const std::string path = vm["model"].as<std::string>();
  LoadedModel loaded = load_model(path);
  Model& model = *loaded.model;
  if (model.kind() != "gpt") throw Error(path + ": a " + model.kind() + " model, not gpt");
  const std::size_t limit = vm["test-limit"].as<std::size_t>();
  const TextSplit split = split_bible(load_bible_text());
  auto prefix = [&](const std::string& s) {
    return limit > 0 && limit < s.size() ? s.substr(0, limit) : s;
  };
  const std::string validation = prefix(split.validation), test = prefix(split.test);
  auto report = [&](const char* what) {
    const LmEval v = evaluate_lm(model, validation), t = evaluate_lm(model, test);
    std::printf("%s: test perplexity %.4f (%.4f bits/byte), validation %.4f (%.4f bits/byte)\n",
                what, t.perplexity(), t.bits_per_byte(), v.perplexity(), v.bits_per_byte());
  };
  // Every option is checked before the (slow) dense evaluation.
  std::optional<Pipeline> pipeline;
  LayerSelection selection;
  std::shared_ptr<const Quantizer> act, attn;
  if (vm.count("pipeline")) {
    pipeline = Pipeline::from_text(vm["pipeline"].as<std::string>());
    selection.include_first = selection.include_last = true;
    selection.only = vm.count("layers") ? vm["layers"].as<std::vector<std::string>>()
                                        : std::vector<std::string>{"block*"};
    if (select_layers(model, selection).empty())
      throw Error("--layers: no layer of " + path + " matches");
    if (vm.count("activations")) {
      act = last_quantizer(*pipeline);
      if (!act) throw Error("--activations: the pipeline has no quantize step");
    }
    if (vm.count("attention")) {
      attn = last_quantizer(*pipeline);
      if (!attn) throw Error("--attention: the pipeline has no quantize step");
    }
  } else if (vm.count("activations") || vm.count("attention")) {
    throw Error(std::string(vm.count("activations") ? "--activations" : "--attention") +
                ": needs --pipeline");
  }
  report("dense");
  if (!pipeline) return 0;
  compress_weights(model, *pipeline, selection, act);
  if (attn) set_attention_quantizer(model, attn);
  report(act && attn ? "compressed (weights + activations + attention)"
         : act       ? "compressed (weights + activations)"
         : attn      ? "compressed (weights + attention)"
                     : "compressed (weights)");
  return 0;
}

}  // namespace interplay::cli
