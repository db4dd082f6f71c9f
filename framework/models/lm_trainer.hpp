#pragma once
// Training and evaluation of the byte-level language model (`gpt`) on a byte
// string. Settings are the other models' TrainConfig; an epoch is one pass
// over the training text in windows of `context` + 1 bytes (inputs and
// next-byte targets). The window grid of epoch e starts at a seeded offset in
// [0, context) and the windows are visited in epoch_order(seed, e), so every
// run is a pure function of the seed (bit-identical for any thread count).
#include <functional>
#include <string>

#include "models/model.hpp"
#include "models/trainer.hpp"

namespace interplay {

// Mean next-byte cross-entropy in nats; perplexity per byte = exp(loss),
// bits per byte = loss / ln 2.
struct LmEval {
  double loss = 0.0;
  std::size_t bytes = 0;  // predicted bytes
  double perplexity() const;
  double bits_per_byte() const;
};

// Progress reports count samples in tokens (bytes), so samples_per_second is tokens/s.
TrainResult train_lm(Model& model, const std::string& text, const TrainConfig& config,
                     const std::function<void(const TrainProgress&)>& progress = {},
                     const TrainHooks& hooks = {});

// Non-overlapping chunks: bytes [kT, kT + T] give inputs text[kT .. kT+T-1] and
// targets text[kT+1 .. kT+T], so every byte after the first is predicted
// exactly once, from the 0..T-1 bytes of its chunk before it (the last chunk
// may be shorter). Cheaper than a sliding window (which gives every byte a
// full context and a somewhat lower loss), and the same for every model
// compared.
LmEval evaluate_lm(Model& model, const std::string& text, std::size_t batch = 32);

// The same chunks one by one: each chunk's summed next-byte loss in nats, in
// text order. evaluate_lm's loss is their sum over the predicted bytes.
std::vector<double> lm_chunk_losses(Model& model, const std::string& text, std::size_t batch = 32);

// The first n chunks of evaluate_lm's grid (full ones only) as model inputs
// [n', T] (byte values; n' = min(n, number of full chunks)), or n consecutive
// windows of the training text: the per-layer probe and calibration batches.
Tensor lm_chunk_inputs(const std::string& text, std::size_t context, std::size_t n);

}  // namespace interplay
