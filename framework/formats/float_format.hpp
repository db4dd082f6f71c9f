#pragma once
// A floating-point element format described as data: exponent and mantissa
// widths, bias, and which codes are special. Everything else is derived.
#include <string>
#include <vector>

namespace interplay {

enum class Specials { Ieee, NanOnly, None };

struct FloatFormat {
  std::string name;
  int ebits = 0, mbits = 0, bias = 0;
  Specials specials = Specials::None;

  int emin() const { return 1 - bias; }  // exponent of the smallest normal
  int emax() const;                      // exponent of the largest finite value
  double max_value() const;              // largest finite magnitude
  double min_normal() const;
  double min_subnormal() const;
  bool has_inf() const { return specials == Specials::Ieee; }
  bool has_nan() const { return specials != Specials::None; }
  int bits() const { return 1 + ebits + mbits; }

  // Value of a bit pattern (sign | exponent | mantissa), for exhaustive tests.
  double decode(unsigned code) const;
};

const FloatFormat& float_format(const std::string& name);
const std::vector<FloatFormat>& float_formats();
std::vector<std::string> float_format_names();

}  // namespace interplay
