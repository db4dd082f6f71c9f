#include "models/ngram.hpp"

#include <cmath>

#include "core/error.hpp"

namespace interplay {
namespace {

// Bytes p[0..n) packed with their count n in the top byte, so that keys of
// different lengths never collide.
std::uint64_t pack(const unsigned char* p, std::size_t n) {
  std::uint64_t k = std::uint64_t(n) << 56;
  for (std::size_t i = 0; i < n; ++i) k |= std::uint64_t(p[i]) << (8 * i);
  return k;
}
std::size_t length_of(std::uint64_t key) {
  return std::size_t(key >> 56);
}
// The key without its first byte (the k-gram's suffix of length k-1).
std::uint64_t drop_first(std::uint64_t key) {
  const std::size_t n = length_of(key);
  return (std::uint64_t(n - 1) << 56) | ((key & ((std::uint64_t(1) << 56) - 1)) >> 8);
}
// The key without its last byte (the k-gram's context).
std::uint64_t drop_last(std::uint64_t key) {
  const std::size_t n = length_of(key);
  const std::uint64_t bytes = key & ((std::uint64_t(1) << (8 * (n - 1))) - 1);
  return (std::uint64_t(n - 1) << 56) | bytes;
}

}  // namespace

KneserNey::KneserNey(const std::string& train, std::size_t order)
    : order_(order), counts_(order + 1), contexts_(order + 1), discount_(order + 1, 0.75) {
  if (order < 1 || order > 7)
    throw Error("n-gram order must be 1..7, got " + std::to_string(order));
  const auto* p = reinterpret_cast<const unsigned char*>(train.data());
  // Raw counts of the highest order.
  for (std::size_t i = 0; i + order <= train.size(); ++i) counts_[order][pack(p + i, order)] += 1;
  // Continuation counts: a k-gram counts the distinct bytes seen before it,
  // i.e. the distinct (k+1)-grams it ends. The k-grams at the very start of
  // the text (no byte before them) would be lost; they are too few to matter.
  for (std::size_t k = order; k >= 2; --k)
    for (const auto& [key, c] : counts_[k]) counts_[k - 1][drop_first(key)] += 1;
  for (std::size_t k = 1; k <= order; ++k) {
    double n1 = 0, n2 = 0;
    for (const auto& [key, c] : counts_[k]) {
      n1 += c == 1, n2 += c == 2;
      Context& h = contexts_[k][drop_last(key)];
      h.total += c;
      h.followers += 1;
    }
    if (n1 > 0 && n2 > 0) discount_[k] = n1 / (n1 + 2 * n2);
  }
}

double KneserNey::prob(const unsigned char* h, std::size_t k, unsigned char w) const {
  // h: the k-1 context bytes, w: the predicted byte.
  const double lower = k == 1 ? 1.0 / 256.0 : prob(h + 1, k - 1, w);
  const auto ctx = contexts_[k].find(pack(h, k - 1));
  if (ctx == contexts_[k].end()) return lower;  // unseen context: back off fully
  unsigned char gram[8];
  for (std::size_t i = 0; i + 1 < k; ++i) gram[i] = h[i];
  gram[k - 1] = w;
  const auto it = counts_[k].find(pack(gram, k));
  const double c = it == counts_[k].end() ? 0.0 : it->second, D = discount_[k];
  const Context& x = ctx->second;
  return (std::max(c - D, 0.0) + D * x.followers * lower) / x.total;
}

double KneserNey::probability(const std::string& text, std::size_t pos) const {
  const std::size_t k = std::min(order_, pos + 1);  // context bytes available: k - 1
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  return prob(p + pos - (k - 1), k, p[pos]);
}

LmEval KneserNey::evaluate(const std::string& text) const {
  LmEval r;
  double loss = 0.0;
  for (std::size_t i = 1; i < text.size(); ++i) loss -= std::log(probability(text, i));
  r.bytes = text.size() > 0 ? text.size() - 1 : 0;
  if (r.bytes) r.loss = loss / double(r.bytes);
  return r;
}

}  // namespace interplay
