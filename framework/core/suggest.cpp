#include "core/suggest.hpp"

#include <algorithm>

namespace interplay {

std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diag = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

std::string closest(const std::string& name, const std::vector<std::string>& candidates) {
  std::string best;
  std::size_t best_d = ~std::size_t{0};
  for (const auto& c : candidates) {
    const std::size_t d = edit_distance(name, c);
    if (d < best_d) best_d = d, best = c;
  }
  // Plausible: at most a third of the name wrong (and at least one edit allowed).
  return best_d <= std::max<std::size_t>(1, name.size() / 3 + 1) ? best : std::string();
}

std::string unknown_name_message(const std::string& what, const std::string& name,
                                 const std::vector<std::string>& candidates) {
  std::string msg = "unknown " + what + " '" + name + "'";
  const std::string guess = closest(name, candidates);
  if (!guess.empty()) msg += "; did you mean '" + guess + "'?";
  msg += " (valid: ";
  for (std::size_t i = 0; i < candidates.size(); ++i) msg += (i ? ", " : "") + candidates[i];
  return msg + ")";
}

}  // namespace interplay
