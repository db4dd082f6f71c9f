#include "formats/float_format.hpp"

#include <cmath>
#include <limits>

#include "core/error.hpp"
#include "core/suggest.hpp"

namespace interplay {

int FloatFormat::emax() const {
  const int top = (1 << ebits) - 1;  // all-ones exponent field
  return (specials == Specials::Ieee ? top - 1 : top) - bias;
}

double FloatFormat::max_value() const {
  // NanOnly loses the all-ones mantissa at the top exponent (it is NaN).
  const double mant = specials == Specials::NanOnly ? 2.0 - 2.0 * std::ldexp(1.0, -mbits)
                                                    : 2.0 - std::ldexp(1.0, -mbits);
  return std::ldexp(mant, emax());
}

double FloatFormat::min_normal() const {
  return std::ldexp(1.0, emin());
}
double FloatFormat::min_subnormal() const {
  return std::ldexp(1.0, emin() - mbits);
}

double FloatFormat::decode(unsigned code) const {
  const unsigned mmask = (1u << mbits) - 1, emask = (1u << ebits) - 1;
  const unsigned m = code & mmask, e = (code >> mbits) & emask, s = (code >> (mbits + ebits)) & 1;
  const double sign = s ? -1.0 : 1.0;
  if (specials == Specials::Ieee && e == emask)
    return m ? std::numeric_limits<double>::quiet_NaN() : sign * HUGE_VAL;
  if (specials == Specials::NanOnly && e == emask && m == mmask)
    return std::numeric_limits<double>::quiet_NaN();
  if (e == 0) return sign * std::ldexp(double(m), emin() - mbits);
  return sign * std::ldexp(1.0 + std::ldexp(double(m), -mbits), int(e) - bias);
}

const std::vector<FloatFormat>& float_formats() {
  static const std::vector<FloatFormat> all{
#define INTERPLAY_FLOAT_FORMAT(name, e, m, bias, sp) FloatFormat{#name, e, m, bias, Specials::sp},
#include "formats/element_formats.def"
#undef INTERPLAY_FLOAT_FORMAT
  };
  return all;
}

std::vector<std::string> float_format_names() {
  std::vector<std::string> n;
  for (const auto& f : float_formats()) n.push_back(f.name);
  return n;
}

const FloatFormat& float_format(const std::string& name) {
  for (const auto& f : float_formats())
    if (f.name == name) return f;
  throw Error(unknown_name_message("element format", name, float_format_names()));
}

}  // namespace interplay
