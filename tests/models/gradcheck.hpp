#pragma once
// Finite-difference gradient checks for layers. The probe loss is
// L = sum_i r_i y_i with fixed random r, accumulated in double; central
// differences with step h are compared with the analytic dL/dx and dL/dθ.
// In float32, L carries a rounding noise of about 1e-6 |L|, i.e. ~1e-4 after
// dividing by 2h = 1e-2, and the truncation error is O(h^2): the tolerances
// below (2e-3 absolute + 2 % relative per element, 1 % on the whole vector)
// sit well above both and far below any real bug (a wrong sign, a missing
// term or a transposed index changes gradients by O(1)).
#include <catch2/catch.hpp>
#include <cmath>
#include <string>

#include "core/rng.hpp"
#include "models/layer.hpp"

namespace interplay::test {

inline Tensor random_tensor(Shape shape, std::uint64_t seed, float scale = 1.0f) {
  Tensor t(std::move(shape));
  for (std::size_t i = 0; i < t.size(); ++i)
    t.data[i] = (2.0f * uniform24(seed, 77, i) - 1.0f) * scale;
  return t;
}

inline double probe_loss(Layer& layer, const Tensor& x, const Tensor& r) {
  Tensor y;
  layer.forward(x, y);
  REQUIRE(y.size() == r.size());
  double s = 0.0;
  for (std::size_t i = 0; i < y.size(); ++i) s += double(r.data[i]) * double(y.data[i]);
  return s;
}

struct GradStats {
  std::size_t checked = 0, bad = 0;
  double diff2 = 0.0, ref2 = 0.0;
  void add(double numeric, double analytic) {
    ++checked;
    diff2 += (numeric - analytic) * (numeric - analytic);
    ref2 += analytic * analytic;
    if (std::fabs(numeric - analytic) > 2e-3 + 2e-2 * std::fabs(analytic)) ++bad;
  }
};

// Perturbs element i of `v` by +-h (then restores it) and returns the
// central difference of the probe loss.
inline double central_difference(Layer& layer, const Tensor& x, const Tensor& r, float& v,
                                 float h) {
  const float saved = v;
  v = saved + h;
  const double lp = probe_loss(layer, x, r);
  v = saved - h;
  const double lm = probe_loss(layer, x, r);
  v = saved;
  return (lp - lm) / (2.0 * double(h));
}

// Checks dL/dx and every parameter gradient of `layer` at x (at most
// `max_checks` evenly spaced elements per tensor).
inline void check_gradients(Layer& layer, Tensor x, std::uint64_t seed = 1, float h = 5e-3f,
                            std::size_t max_checks = 96) {
  Tensor y;
  layer.forward(x, y);
  const Tensor r = random_tensor(y.shape, seed + 1000);
  Tensor dx;
  layer.backward(r, dx);
  REQUIRE(dx.shape == x.shape);
  std::vector<std::vector<Tensor>> analytic;  // grads per layer param, copied before probing
  std::vector<std::pair<std::string, Param*>> params;
  std::function<void(Layer&, const std::string&)> collect = [&](Layer& l, const std::string& p) {
    for (Param& q : l.params()) params.emplace_back(p + q.name, &q);
    for (auto& [n, c] : l.children()) collect(*c, p + n + "/");
  };
  collect(layer, "");
  std::vector<Tensor> grads;
  for (auto& [n, p] : params) grads.push_back(p->grad);

  auto check_tensor = [&](const std::string& what, Tensor& target, const Tensor& ana) {
    GradStats s;
    const std::size_t step = std::max<std::size_t>(1, target.size() / max_checks);
    for (std::size_t i = 0; i < target.size(); i += step)
      s.add(central_difference(layer, x, r, target.data[i], h), ana.data[i]);
    INFO(what << ": " << s.bad << " of " << s.checked << " elements off; relative error "
              << std::sqrt(s.diff2 / std::max(s.ref2, 1e-30)));
    CHECK(s.bad == 0);
    CHECK(std::sqrt(s.diff2) <= 1e-2 * std::sqrt(s.ref2) + 1e-3);
  };
  check_tensor("dL/dx", x, dx);
  for (std::size_t k = 0; k < params.size(); ++k)
    check_tensor("dL/d" + params[k].first, params[k].second->value, grads[k]);
}

}  // namespace interplay::test
