#pragma once
// Interpolated Kneser-Ney n-gram model on bytes: the smoothed baseline the
// `gpt` model has to beat (data/README.md). Order n <= 7 (a context and its
// next byte are packed into one 64-bit key). Highest order: raw counts;
// lower orders: continuation counts N1+(. h w); one absolute discount per
// order, D = n1 / (n1 + 2 n2) from that order's counts of counts (Chen &
// Goodman); the unigram level interpolates with the uniform 1/256, so every
// byte has a non-zero probability. An unseen context backs off fully.
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "models/lm_trainer.hpp"

namespace interplay {

class KneserNey {
 public:
  KneserNey(const std::string& train, std::size_t order);
  std::size_t order() const { return order_; }
  // P(next | the up to order-1 bytes of `history` before position `pos`).
  double probability(const std::string& text, std::size_t pos) const;
  // Every byte after the first predicted from the bytes before it (up to order-1),
  // as evaluate_lm does for the neural model.
  LmEval evaluate(const std::string& text) const;

 private:
  struct Context {
    double total = 0;      // sum of the counts of h w over w
    double followers = 0;  // distinct w with a non-zero count
  };
  std::size_t order_;
  // Per length k = 1..order: counts of k-grams, and per (k-1)-byte context its totals.
  std::vector<std::unordered_map<std::uint64_t, double>> counts_;
  std::vector<std::unordered_map<std::uint64_t, Context>> contexts_;
  std::vector<double> discount_;
  double prob(const unsigned char* h, std::size_t k, unsigned char w) const;
};

}  // namespace interplay
