// Dot-product error (THEORY T4): delta = |<f(w), a> - <w, a>| for every row w
// of the weight (rows = leading dims, features = last dim) and every
// activation vector a. Columns:
//   dot     = mean over (row, vector) of delta
//   dot_rel = dot / mean |<w, a>| (0/0 = 0, d/0 = inf)
// Each pair is computed as <f(w) - w, a> in double (the same value without
// the cancellation of two large dot products). NaN in w, f(w) or a makes the
// values NaN; no rows or no vectors give 0.
#include <array>
#include <cmath>

#include "core/registry.hpp"
#include "metrics/activations.hpp"
#include "metrics/common.hpp"
#include "metrics/reduce.hpp"

namespace interplay {
namespace {

// {|<fw - w, a>|, |<w, a>|} over f features, in double. Four interleaved
// lanes (a fixed order) break the add-latency chain and let it vectorise.
std::array<double, 2> abs_pair_dots(const float* w, const float* fw, const float* a,
                                    std::size_t f) {
  double err[4] = {0, 0, 0, 0}, base[4] = {0, 0, 0, 0};
  std::size_t k = 0;
  for (; k + 4 <= f; k += 4)
    for (std::size_t l = 0; l < 4; ++l) {
      const double ak = a[k + l], wk = w[k + l];
      err[l] += (double(fw[k + l]) - wk) * ak;
      base[l] += wk * ak;
    }
  for (; k < f; ++k) {
    const double ak = a[k], wk = w[k];
    err[k & 3] += (double(fw[k]) - wk) * ak;
    base[k & 3] += wk * ak;
  }
  return {std::fabs((err[0] + err[1]) + (err[2] + err[3])),
          std::fabs((base[0] + base[1]) + (base[2] + base[3]))};
}

class DotMetric final : public Metric {
 public:
  explicit DotMetric(const Params& p) : source_(ActivationSource::from(p, "count")) {}

  std::vector<std::string> columns() const override { return {"dot", "dot_rel"}; }

  void evaluate(const Tensor& x, const Tensor& y, const MetricContext& ctx,
                double* out) const override {
    check_same_shape("dot", x, y);
    Tensor storage;
    const Tensor& act = resolve_activations(ctx, source_, x.shape, "dot", storage);
    const RowShape w = row_shape(x.shape);
    const std::size_t vectors = row_shape(act.shape).rows, f = w.features;
    const float* ref = x.data.data();
    const float* apx = y.data.data();
    const float* a = act.data.data();
    // Pair p = (row p / vectors, vector p % vectors): a row stays in cache
    // while it meets every vector.
    const std::size_t pairs = w.rows * vectors;
    const auto sums = chunked_sum<std::array<double, 2>>(pairs, [=](std::size_t p) {
      const std::size_t row = (p / vectors) * f;
      return abs_pair_dots(ref + row, apx + row, a + (p % vectors) * f, f);
    });
    out[0] = pairs ? sums[0] / double(pairs) : 0.0;
    out[1] = ratio_or_inf(sums[0], sums[1]);  // the means share one denominator
  }

 private:
  ActivationSource source_;
};

}  // namespace

void register_dot_metric(Registry<Metric>& r) {
  r.add({"dot",
         "|<f(w),a> - <w,a>| per weight row and activation vector (THEORY T4): mean (dot) and "
         "relative to mean |<w,a>| (dot_rel)",
         activation_params("count", 16),
         [](const Params& p) { return std::make_unique<DotMetric>(p); }});
}

}  // namespace interplay
