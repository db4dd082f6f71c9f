// Layer output error (THEORY T5): ||X D^T||_F^2 with D = f(W) - W, W seen as
// [out, in] (rows = leading dims, in = last dim) and X [n, in] the given
// activations or seeded random samples. Columns:
//   output     = ||X D^T||_F^2
//   output_rel = output / ||X W^T||_F^2 (0/0 = 0, d/0 = inf)
// This is what GPTQ / SparseGPT minimise; with N(0, 1) samples its expectation
// is n ||D||^2 (isotropic C), with real activations it carries the cross terms.
//
// D and W are formed in double a fixed slab of rows at a time and multiplied
// by X^T with BLAS (xtensor-blas, dgemm); the squared entries are summed with
// the deterministic chunked reduction and the slabs are added in order. NaN in
// W, f(W) or X makes both values NaN (checked explicitly: a BLAS may skip
// multiplications by zero and lose it). Any zero dimension gives 0.
#include <algorithm>
#include <cmath>
#include <limits>
#include <xtensor-blas/xlinalg.hpp>
#include <xtensor/xadapt.hpp>

#include "core/registry.hpp"
#include "metrics/activations.hpp"
#include "metrics/common.hpp"
#include "metrics/reduce.hpp"

namespace interplay {
namespace {

// Weight rows per BLAS call: bounds the double buffers, fixed for determinism.
constexpr std::size_t kSlabRows = 256;

bool has_nan(const Tensor& t) {
  return std::any_of(t.data.begin(), t.data.end(), [](float v) { return std::isnan(v); });
}

double sum_of_squares(const xt::xarray<double>& v) {
  const double* p = v.data();
  return chunked_sum(v.size(), [=](std::size_t i) { return p[i] * p[i]; });
}

class OutputMetric final : public Metric {
 public:
  explicit OutputMetric(const Params& p) : source_(ActivationSource::from(p, "samples")) {}

  std::vector<std::string> columns() const override { return {"output", "output_rel"}; }

  void evaluate(const Tensor& w, const Tensor& fw, const MetricContext& ctx,
                double* out) const override {
    check_same_shape("output", w, fw);
    Tensor storage;
    const Tensor& x = resolve_activations(ctx, source_, w.shape, "output", storage);
    const RowShape ws = row_shape(w.shape);
    const std::size_t rows = ws.rows, in = ws.features, n = row_shape(x.shape).rows;
    if (has_nan(w) || has_nan(fw) || has_nan(x)) {
      out[0] = out[1] = std::numeric_limits<double>::quiet_NaN();
      return;
    }
    if (rows == 0 || in == 0 || n == 0) {
      out[0] = out[1] = 0.0;
      return;
    }
    // X^T in double, [in, n], so each slab is one row-major product D_s X^T.
    std::vector<double> xt(in * n);
    for (std::size_t s = 0; s < n; ++s)
      for (std::size_t k = 0; k < in; ++k) xt[k * n + s] = x.data[s * in + k];
    const auto xt_view =
        xt::adapt(xt.data(), xt.size(), xt::no_ownership(), std::vector<std::size_t>{in, n});

    double err = 0.0, base = 0.0;
    std::vector<double> delta, weight;
    for (std::size_t r0 = 0; r0 < rows; r0 += kSlabRows) {
      const std::size_t m = std::min(kSlabRows, rows - r0), len = m * in;
      const float* wp = w.data.data() + r0 * in;
      const float* fp = fw.data.data() + r0 * in;
      delta.resize(len), weight.resize(len);
      for (std::size_t i = 0; i < len; ++i) {
        weight[i] = wp[i];
        delta[i] = double(fp[i]) - double(wp[i]);
      }
      const std::vector<std::size_t> shape{m, in};
      const auto d = xt::adapt(delta.data(), len, xt::no_ownership(), shape);
      const auto wv = xt::adapt(weight.data(), len, xt::no_ownership(), shape);
      const xt::xarray<double> d_out = xt::linalg::dot(d, xt_view);  // [m, n]
      const xt::xarray<double> w_out = xt::linalg::dot(wv, xt_view);
      err += sum_of_squares(d_out);
      base += sum_of_squares(w_out);
    }
    out[0] = err;
    out[1] = ratio_or_inf(err, base);
  }

 private:
  ActivationSource source_;
};

}  // namespace

void register_output_metric(Registry<Metric>& r) {
  r.add({"output",
         "layer output error ||X (f(W) - W)^T||_F^2 for activations X (THEORY T5): absolute "
         "(output) and relative to ||X W^T||_F^2 (output_rel)",
         activation_params("samples", 64),
         [](const Params& p) { return std::make_unique<OutputMetric>(p); }});
}

}  // namespace interplay
