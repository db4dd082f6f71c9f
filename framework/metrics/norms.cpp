// Error norms of e = approx - reference: the separable errors of THEORY.md,
// E_phi = sum_i phi(|e_i|) (l1, l2sq, lp = L_p^p), the norms and means built
// on them (l2, mse), and max_abs (L_inf).
//
// e_i is formed in double. NaN anywhere in either tensor makes the value NaN
// (phi(NaN) = NaN and sums propagate it); Inf - Inf gives NaN as well. An
// empty tensor has no error: every value is 0 (mse included).
#include <cmath>
#include <cstdio>
#include <limits>

#include "core/registry.hpp"
#include "metrics/common.hpp"
#include "metrics/reduce.hpp"

namespace interplay {
namespace {

// E_phi(y, x) = sum_i phi(|y_i - x_i|) in one deterministic pass.
template <class Phi>
double separable_error(const Tensor& x, const Tensor& y, Phi phi) {
  const float* a = x.data.data();
  const float* b = y.data.data();
  return chunked_sum(x.size(),
                     [=](std::size_t i) { return phi(std::fabs(double(b[i]) - double(a[i]))); });
}

// sum |e|^p. p = 1 and p = 2 use exact phis, so lp(1) == l1 and lp(2) == l2sq
// bit for bit instead of up to pow()'s rounding.
double sum_abs_pow(const Tensor& x, const Tensor& y, double p) {
  if (p == 1.0) return separable_error(x, y, [](double t) { return t; });
  if (p == 2.0) return separable_error(x, y, [](double t) { return t * t; });
  return separable_error(x, y, [p](double t) { return std::pow(t, p); });
}

enum class Norm { L1, L2, L2sq, Lp, Mse, MaxAbs };

class NormMetric final : public Metric {
 public:
  NormMetric(std::string column, Norm kind, double p = 1.0)
      : column_(std::move(column)), kind_(kind), p_(p) {}

  std::vector<std::string> columns() const override { return {column_}; }

  void evaluate(const Tensor& x, const Tensor& y, const MetricContext&,
                double* out) const override {
    check_same_shape(column_, x, y);
    switch (kind_) {
      case Norm::L1:
        *out = sum_abs_pow(x, y, 1.0);
        break;
      case Norm::L2:
        *out = std::sqrt(sum_abs_pow(x, y, 2.0));
        break;
      case Norm::L2sq:
        *out = sum_abs_pow(x, y, 2.0);
        break;
      case Norm::Lp:
        *out = sum_abs_pow(x, y, p_);
        break;
      case Norm::Mse:
        *out = x.size() ? sum_abs_pow(x, y, 2.0) / double(x.size()) : 0.0;
        break;
      case Norm::MaxAbs:
        *out = max_abs(x, y);
        break;
    }
  }

 private:
  static double max_abs(const Tensor& x, const Tensor& y) {
    const float* a = x.data.data();
    const float* b = y.data.data();
    return chunked_max(x.size(), 0.0,
                       [=](std::size_t i) { return std::fabs(double(b[i]) - double(a[i])); });
  }

  std::string column_;
  Norm kind_;
  double p_;
};

// Column of lp: "lp3", "lp0.5", so several exponents can share one table.
std::string lp_column(double p) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "lp%g", p);
  return buf;
}

void add_norm(Registry<Metric>& r, const char* name, const char* summary, Norm kind) {
  r.add({name, summary, {}, [name = std::string(name), kind](const Params&) {
           return std::make_unique<NormMetric>(name, kind);
         }});
}

}  // namespace

void register_norm_metrics(Registry<Metric>& r) {
  add_norm(r, "l1", "sum |y - x| (separable error, phi(t) = t)", Norm::L1);
  add_norm(r, "l2", "||y - x||_2", Norm::L2);
  add_norm(r, "l2sq", "sum (y - x)^2 (separable error, phi(t) = t^2)", Norm::L2sq);
  add_norm(r, "mse", "mean (y - x)^2 (0 for an empty tensor)", Norm::Mse);
  add_norm(r, "max_abs", "max |y - x| (0 for an empty tensor)", Norm::MaxAbs);
  r.add({"lp",
         "sum |y - x|^p (separable error L_p^p; p < 1 is non-convex); column lp<p>",
         {ParamSpec::real("p", 3.0, 1e-6, std::numeric_limits<double>::infinity(),
                          "exponent p > 0 (3: cubed L3, 0.5: non-convex)")},
         [](const Params& p) {
           const double e = p.real("p");
           return std::make_unique<NormMetric>(lp_column(e), Norm::Lp, e);
         }});
}

}  // namespace interplay
