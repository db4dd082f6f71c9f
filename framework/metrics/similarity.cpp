// Metrics that relate the error to the signal: rel_l2, sqnr_db, cosine, and
// the density of the approximation (nonzero_fraction).
//
// NaN anywhere in the compared values makes the value NaN. Zero cases:
//   rel_l2  = ||e|| / ||x||; x = 0: 0 if e = 0, else +inf.
//   sqnr_db = 10 log10(sum x^2 / sum e^2); e = 0: +inf (x = 0, e != 0: -inf).
//   cosine  = <x, y> / (||x|| ||y||); both zero: 1 (identical), one zero: 0.
//   nonzero_fraction = #{y_i != 0} / n (-0 counts as zero); NaN if y has a
//   NaN; 0 for an empty tensor.
// Empty tensors compare as identical zero vectors (rel_l2 0, sqnr_db +inf,
// cosine 1).
#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

#include "core/registry.hpp"
#include "metrics/common.hpp"
#include "metrics/reduce.hpp"

namespace interplay {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

using Sums3 = std::array<double, 3>;

// {sum e^2, sum x^2} with e = y - x.
std::array<double, 2> error_and_signal(const Tensor& x, const Tensor& y) {
  const float* a = x.data.data();
  const float* b = y.data.data();
  return chunked_sum<std::array<double, 2>>(x.size(), [=](std::size_t i) {
    const double xi = a[i], e = double(b[i]) - xi;
    return std::array<double, 2>{e * e, xi * xi};
  });
}

double rel_l2(const Tensor& x, const Tensor& y) {
  const auto s = error_and_signal(x, y);
  return std::sqrt(ratio_or_inf(s[0], s[1]));
}

double sqnr_db(const Tensor& x, const Tensor& y) {
  const auto s = error_and_signal(x, y);
  if (std::isnan(s[0]) || std::isnan(s[1])) return kNaN;
  if (s[0] == 0.0) return kInf;
  return 10.0 * std::log10(s[1] / s[0]);
}

double cosine(const Tensor& x, const Tensor& y) {
  const float* a = x.data.data();
  const float* b = y.data.data();
  const Sums3 s = chunked_sum<Sums3>(x.size(), [=](std::size_t i) {
    const double xi = a[i], yi = b[i];
    return Sums3{xi * yi, xi * xi, yi * yi};
  });
  if (std::isnan(s[0]) || std::isnan(s[1]) || std::isnan(s[2])) return kNaN;
  if (s[1] == 0.0 || s[2] == 0.0) return s[1] == s[2] ? 1.0 : 0.0;
  // sqrt of the product (not the product of sqrts) makes cosine(x, x) exactly 1.
  return std::clamp(s[0] / std::sqrt(s[1] * s[2]), -1.0, 1.0);
}

double nonzero_fraction(const Tensor&, const Tensor& y) {
  const float* b = y.data.data();
  const double count = chunked_sum(y.size(), [=](std::size_t i) {
    return std::isnan(b[i]) ? kNaN : (b[i] != 0.0f ? 1.0 : 0.0);
  });
  return y.size() ? count / double(y.size()) : 0.0;
}

using Fn = double (*)(const Tensor&, const Tensor&);

class SimilarityMetric final : public Metric {
 public:
  SimilarityMetric(std::string name, Fn fn) : name_(std::move(name)), fn_(fn) {}
  std::vector<std::string> columns() const override { return {name_}; }
  void evaluate(const Tensor& x, const Tensor& y, const MetricContext&,
                double* out) const override {
    check_same_shape(name_, x, y);
    *out = fn_(x, y);
  }

 private:
  std::string name_;
  Fn fn_;
};

void add(Registry<Metric>& r, const char* name, const char* summary, Fn fn) {
  r.add({name, summary, {}, [name = std::string(name), fn](const Params&) {
           return std::make_unique<SimilarityMetric>(name, fn);
         }});
}

}  // namespace

void register_similarity_metrics(Registry<Metric>& r) {
  add(r, "rel_l2", "||y - x|| / ||x|| (x = 0: 0 if y = 0, else inf)", rel_l2);
  add(r, "sqnr_db", "10 log10(sum x^2 / sum (y - x)^2) in dB (y = x: inf)", sqnr_db);
  add(r, "cosine", "cosine similarity of x and y (both zero: 1, one zero: 0)", cosine);
  add(r, "nonzero_fraction", "fraction of nonzero elements of y (density after pruning)",
      nonzero_fraction);
}

}  // namespace interplay
