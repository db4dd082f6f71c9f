#pragma once
// The checks every registered quantizer and sparsifier configuration must
// pass, driven by the registry and by each plugin's own description
// (core/description.hpp) instead of lists of names: a new plugin is checked
// by the same code (tests/core/test_registry.cpp for the built-ins,
// tests/core/test_added_plugin.cpp for a plugin registered by a test).
#include <catch2/catch.hpp>
#include <cmath>
#include <string>

#include "core/calibration.hpp"
#include "core/registry.hpp"
#include "core/rng.hpp"
#include "proofs_check/facts.hpp"
#include "support.hpp"

namespace interplay::test {

// Nonzero normal-ish values with a few outliers, no ties by construction.
inline Tensor contract_tensor(Shape shape, std::uint64_t seed) {
  Tensor t(std::move(shape));
  for (std::size_t i = 0; i < t.size(); ++i) {
    double v = (uniform53(seed, 0, i) - 0.5) * std::exp(3 * uniform53(seed, 1, i));
    if (i % 53 == 7) v *= 20;
    t.data[i] = static_cast<float>(v == 0 ? 1e-3 : v);
  }
  return t;
}

// A quantizer configuration: it builds at its parameters, keeps the shape,
// maps finite input to finite output and is honest about its description:
// solver support matches codec(), every scale part is quantized on its own
// (changing one part changes no other part's output), and symmetric scale
// rules give odd quantizers (q(-x) = -q(x)).
inline void check_quantizer_contract(const std::string& name) {
  INFO("quantizer " << name);
  const auto q = quantizers().build(name, "test");
  const QuantizerDescription d = q.object->describe();
  const Shape shape{6, 96};
  CHECK(d.solvers == (q.object->codec(shape, "test") != nullptr));
  CHECK_FALSE(d.element.empty());
  const double bits = q.object->bits_per_element(shape);
  CHECK((std::isfinite(bits) && bits > 0));

  const Tensor x = contract_tensor(shape, 11);
  Tensor y;
  q.object->quantize(x, y);
  REQUIRE(y.shape == x.shape);
  for (float v : y.data) REQUIRE(std::isfinite(v));

  if (d.statistic != ScaleStatistic::MinMax) {
    Tensor neg = x, yn;
    for (auto& v : neg.data) v = -v;
    q.object->quantize(neg, yn);
    for (std::size_t i = 0; i < x.size(); ++i) {
      INFO("odd at " << i);
      REQUIRE(same_bits(yn.data[i], -y.data[i]));
    }
  }

  // With one scale level, a part's scale depends on that part alone.
  const proofs::QuantizerFacts f = proofs::quantizer_facts(d, shape);
  if (f.levels.size() == 1 && f.levels[0].count > 1) {
    const auto& part = f.levels[0].part;
    Tensor changed = x, yc;
    for (std::size_t i = 0; i < x.size(); ++i)
      if (part[i] == part[0]) changed.data[i] *= 3.0f;
    q.object->quantize(changed, yc);
    for (std::size_t i = 0; i < x.size(); ++i)
      if (part[i] != part[0]) {
        INFO("outside the changed scale part at " << i);
        REQUIRE(same_bits(yc.data[i], y.data[i]));
      }
  }
}

// A sparsifier configuration: it builds, refuses to run without calibration
// exactly when its description says it needs it, and prunes what its
// description says: n kept in every group (N:M) or floor(size * fraction)
// pruned in every group, where the groups are the described partition
// (run with H = I when calibration is needed).
inline void check_sparsifier_contract(const std::string& name) {
  INFO("sparsifier " << name);
  const auto s = sparsifiers().build(name, "test");
  const SparsifierDescription d = s.object->describe();
  CHECK(s.object->needs_calibration() == d.calibration);
  const Shape shape{8, 64};
  const Tensor x = contract_tensor(shape, 12);
  Tensor y;
  if (d.calibration) {
    CHECK_THROWS(s.object->sparsify(x, y));
    Tensor h({64, 64});
    for (std::size_t i = 0; i < 64; ++i) h.data[i * 64 + i] = 1.0f;
    const Calibration c = Calibration::from_hessian(h);
    CalibrationContext ctx;
    ctx.data = &c;
    ctx.where = "test";
    s.object->sparsify_calibrated(x, y, ctx);
  } else {
    s.object->sparsify(x, y);
  }
  REQUIRE(y.shape == x.shape);
  if (d.unit.kind != Partitioning::Kind::Element) return;  // counted in units, not elements
  const proofs::SparsifierFacts f = proofs::sparsifier_facts(d, shape);
  std::vector<std::size_t> size(f.groups.count, 0), zeros(f.groups.count, 0);
  for (std::size_t i = 0; i < x.size(); ++i) {
    ++size[f.groups.part[i]];
    zeros[f.groups.part[i]] += y.data[i] == 0.0f;
  }
  const double fraction = s.params.value("fraction", 0.5);
  for (std::size_t g = 0; g < size.size(); ++g) {
    INFO("group " << g << " of " << size[g]);
    if (d.keep > 0)
      CHECK(size[g] - zeros[g] == std::min(d.keep, size[g]));
    else
      CHECK(zeros[g] == std::size_t(double(size[g]) * fraction));
  }
}

}  // namespace interplay::test
