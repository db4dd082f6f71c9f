#pragma once
// Parameters several sparsifiers share, declared once so their names,
// ranges and docs agree.
#include <string>

#include "core/params.hpp"

namespace interplay::sparsity {

inline ParamSpec fraction_param(const std::string& of_what) {
  return ParamSpec::real(
      "fraction", 0.5, 0.0, 1.0,
      "fraction of " + of_what + " pruned; the count is floor(total * fraction)");
}

}  // namespace interplay::sparsity
