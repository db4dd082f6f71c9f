#pragma once
// Rounding is a policy, independent of the format it rounds onto.
#include <string>
#include <vector>

#include "core/params.hpp"

namespace interplay {

enum class Rounding {
  NearestEven,  // round half to even (IEEE default, OCP MX conversions)
  NearestAway,  // round half away from zero
  TowardZero,   // truncate the magnitude
  Stochastic,   // up with probability equal to the fractional distance
};

Rounding parse_rounding(const std::string& name);
const std::vector<std::string>& rounding_names();

// The `rounding` and `seed` parameters every quantizer shares.
ParamSpec rounding_param();
ParamSpec seed_param();

}  // namespace interplay
