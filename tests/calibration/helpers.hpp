#pragma once
// Shared pieces of the calibration tests: random layers, correlated inputs,
// layer-output errors, and a codec decorator that checks every value the
// solver writes is on the grid of the parameters fixed for it.
#include <cmath>
#include <memory>
#include <random>
#include <string>

#include "calibration/obs.hpp"
#include "core/calibration.hpp"
#include "core/pipeline.hpp"
#include "core/registry.hpp"

namespace interplay::test {

inline Tensor normal_tensor(const Shape& shape, unsigned seed, float sd = 1.0f) {
  std::mt19937 gen(seed);
  std::normal_distribution<float> normal(0.0f, sd);
  Tensor t(shape);
  for (float& v : t.data) v = normal(gen);
  return t;
}

// X [n x in] with strongly correlated features: Z [n x in] times a random
// lower-triangular mixing matrix with a decaying diagonal.
inline Tensor correlated_inputs(std::size_t n, std::size_t in, unsigned seed) {
  const Tensor z = normal_tensor({n, in}, seed);
  const Tensor a = normal_tensor({in, in}, seed + 1000, 0.3f);
  Tensor x({n, in});
  for (std::size_t r = 0; r < n; ++r)
    for (std::size_t j = 0; j < in; ++j) {
      double s = z.data[r * in + j] * (1.0 + 2.0 * std::exp(-double(j) / 8.0));
      for (std::size_t k = 0; k < j; ++k) s += double(z.data[r * in + k]) * a.data[j * in + k];
      x.data[r * in + j] = float(s);
    }
  return x;
}

inline Tensor identity(std::size_t n) {
  Tensor h({n, n});
  for (std::size_t i = 0; i < n; ++i) h.data[i * n + i] = 1.0f;
  return h;
}

// ||(W - Q) X^T||_F^2 in double.
inline double layer_error(const Tensor& w, const Tensor& q, const Tensor& x) {
  const std::size_t R = w.shape[0], C = w.shape[1], N = x.shape[0];
  double e = 0;
  for (std::size_t r = 0; r < R; ++r)
    for (std::size_t s = 0; s < N; ++s) {
      double d = 0;
      for (std::size_t j = 0; j < C; ++j)
        d += (double(w.data[r * C + j]) - q.data[r * C + j]) * x.data[s * C + j];
      e += d * d;
    }
  return e;
}

inline Tensor run(const std::string& pipeline, const Tensor& w, const Calibration* c) {
  return Pipeline::from_json(json::parse(pipeline)).apply(w, c);
}

// Wraps a codec; counts values the solver wrote that re-rounding with the
// same fixed parameters would change (must stay 0: outputs on the grid).
class CheckingCodec final : public GroupCodec {
 public:
  explicit CheckingCodec(std::unique_ptr<GroupCodec> inner) : inner_(std::move(inner)) {}
  std::size_t group_columns() const override { return inner_->group_columns(); }
  bool layout_bound() const override { return inner_->layout_bound(); }
  void begin(const float* w, std::size_t rows, std::size_t cols) override {
    inner_->begin(w, rows, cols);
  }
  void fit_group(std::size_t slot, const float* w, std::size_t ld, std::size_t rows, std::size_t n,
                 std::uint64_t first) override {
    inner_->fit_group(slot, w, ld, rows, n, first);
  }
  float quantize(std::size_t slot, std::size_t row, float x, std::uint64_t index) const override {
    const float q = inner_->quantize(slot, row, x, index);
    const float again = inner_->quantize(slot, row, q, index);
#pragma omp atomic
    calls_ += 1;
    if (!(again == q)) {
#pragma omp atomic
      off_grid_ += 1;
    }
    return q;
  }
  mutable std::size_t calls_ = 0, off_grid_ = 0;

 private:
  std::unique_ptr<GroupCodec> inner_;
};

inline std::unique_ptr<Quantizer> build_quantizer(const std::string& step) {
  return quantizers().build(json::parse(step), "quantizer", "test").object;
}

}  // namespace interplay::test
