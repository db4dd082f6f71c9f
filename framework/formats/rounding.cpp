#include "formats/rounding.hpp"

#include "core/error.hpp"
#include "core/suggest.hpp"

namespace interplay {

const std::vector<std::string>& rounding_names() {
  static const std::vector<std::string> names{"nearest_even", "nearest_away", "toward_zero",
                                              "stochastic"};
  return names;
}

Rounding parse_rounding(const std::string& name) {
  const auto& n = rounding_names();
  for (std::size_t i = 0; i < n.size(); ++i)
    if (n[i] == name) return static_cast<Rounding>(i);
  throw Error(unknown_name_message("rounding", name, n));
}

ParamSpec rounding_param() {
  return ParamSpec::choice("rounding", "nearest_even", rounding_names(),
                           "element rounding: ties to even, ties away, truncation, or stochastic");
}

ParamSpec seed_param() {
  return ParamSpec::integer(
      "seed", 0, 0, 9007199254740991LL,
      "seed of stochastic rounding (counter-based: thread-count independent)");
}

}  // namespace interplay
