#include "core/calibration.hpp"

#include <cblas.h>

#include <algorithm>
#include <cmath>

#include "core/error.hpp"
#include "core/fixed_blas.hpp"

namespace interplay {

Tensor accumulate_hessian(const Tensor& x, std::size_t batch) {
  const std::size_t n = x.shape.at(0), d = x.shape.at(1);
  Tensor h({d, d}, 0.0f);
  std::vector<float> xb;
  std::size_t seen = 0;
  for (std::size_t r0 = 0; r0 < n; r0 += batch) {
    const std::size_t b = std::min(batch, n - r0);
    // torch multiplies a float32 tensor by a Python float in float32.
    const float shrink = static_cast<float>(double(seen) / double(seen + b));
    seen += b;
    const float root = static_cast<float>(std::sqrt(2.0 / double(seen)));
    for (std::size_t i = 0; i < d; ++i)  // the updated (upper, row-major) triangle
      for (std::size_t j = i; j < d; ++j) h.data[i * d + j] *= shrink;
    xb.assign(x.data.begin() + std::ptrdiff_t(r0 * d),
              x.data.begin() + std::ptrdiff_t((r0 + b) * d));
    for (float& v : xb) v *= root;
    fixed_syrk_upper(d, b, xb.data(), d, h.data.data(), d);
  }
  for (std::size_t i = 0; i < d; ++i)
    for (std::size_t j = 0; j < i; ++j) h.data[i * d + j] = h.data[j * d + i];
  return h;
}

Calibration Calibration::from_inputs(Tensor x, std::string source) {
  if (x.rank() != 2)
    throw Error(source + ": calibration inputs must be 2-D [n, in] (rows are samples), got " +
                shape_string(x.shape));
  if (x.shape[0] == 0) throw Error(source + ": calibration inputs have no rows");
  for (float v : x.data)
    if (!std::isfinite(v)) throw Error(source + ": calibration inputs contain NaN or Inf");
  Calibration c;
  c.s_ = std::make_shared<State>();
  c.s_->x = std::move(x);
  c.s_->source = std::move(source);
  return c;
}

Calibration Calibration::from_hessian(Tensor h, std::string source) {
  if (h.rank() != 2 || h.shape[0] != h.shape[1])
    throw Error(source + ": the Hessian must be square [in, in], got " + shape_string(h.shape));
  for (float v : h.data)
    if (!std::isfinite(v)) throw Error(source + ": the Hessian contains NaN or Inf");
  Calibration c;
  c.s_ = std::make_shared<State>();
  c.s_->h = std::move(h);
  c.s_->source = std::move(source);
  return c;
}

std::size_t Calibration::features() const {
  return has_inputs() ? s_->x.shape[1] : s_->h.shape[0];
}

void Calibration::check(const Shape& weight, const std::string& where) const {
  if (weight.size() != 2)
    throw Error(
        at(where, "calibrated methods need a 2-D weight [out, in], got " + shape_string(weight)));
  if (features() != weight[1]) {
    const Shape need =
        has_inputs() ? Shape{s_->x.shape[0], weight[1]} : Shape{weight[1], weight[1]};
    throw Error(at(
        where, source() + " has shape " + shape_string(has_inputs() ? s_->x.shape : s_->h.shape) +
                   " but the weight " + shape_string(weight) + " needs " + shape_string(need)));
  }
}

const Tensor& Calibration::hessian() const {
  std::call_once(s_->h_once, [&] {
    if (s_->h.size() == 0) s_->h = accumulate_hessian(s_->x);
  });
  return s_->h;
}

const std::vector<float>& Calibration::feature_scale() const {
  std::call_once(s_->scale_once, [&] {
    const std::size_t d = features();
    std::vector<float>& s = s_->scale;
    s.assign(d, 0.0f);
    if (!has_inputs()) {
      const Tensor& h = s_->h;
      for (std::size_t j = 0; j < d; ++j) s[j] = h.data[j * d + j];
      return;
    }
    // The Wanda reference called once with the whole X (2-D input: one
    // batch): scaler_row = ||X_j||_2^2, the norm taken in float32.
    const Tensor& x = s_->x;
    std::vector<double> sq(d, 0.0);
    for (std::size_t r = 0; r < x.shape[0]; ++r)
      for (std::size_t j = 0; j < d; ++j) sq[j] += double(x.data[r * d + j]) * x.data[r * d + j];
    for (std::size_t j = 0; j < d; ++j) {
      const float norm = static_cast<float>(std::sqrt(sq[j]));
      s[j] = norm * norm;
    }
  });
  return s_->scale;
}

}  // namespace interplay
