// `interplay ngram [--order N]`: the smoothed n-gram baseline of the gpt
// model, an interpolated Kneser-Ney byte model fitted on the training books
// and scored on the validation and test books of the same split.
#include <cstdio>

#include "cli/command.hpp"
#include "core/error.hpp"
#include "models/bible_corpus.hpp"
#include "models/ngram.hpp"

namespace interplay::cli {

int cmd_ngram(const std::vector<std::string>& args) {
  po::options_description opts("ngram options");
  opts.add_options()("order", po::value<std::size_t>()->default_value(5),
                     "n-gram order (1..7): bytes of context + 1");
  po::variables_map vm;
  if (!parse_command_line("ngram", "[--order N]", args, opts, {}, vm)) return 0;
  const std::size_t order = vm["order"].as<std::size_t>();
  if (order < 1 || order > 7) throw Error("--order: expected 1..7, got " + std::to_string(order));
  const TextSplit split = split_bible(load_bible_text());
  const KneserNey lm(split.train, order);
  for (const auto& [name, text] :
       {std::pair<std::string, const std::string*>{"validation", &split.validation},
        {"test", &split.test}}) {
    const LmEval e = lm.evaluate(*text);
    std::printf("%d-gram Kneser-Ney, %s: perplexity %.4f per byte, %.4f bits/byte (%zu bytes)\n",
                int(order), name.c_str(), e.perplexity(), e.bits_per_byte(), e.bytes);
  }
  return 0;
}

}  // namespace interplay::cli
