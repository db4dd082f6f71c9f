// Each statement's checked quantity on hand-computed inputs, including
// THEORY.md's own T3 witness, a crossed L1 failure, a T4 cancellation and a
// rank-one covariance for T5; plus the tolerance rule.
#include <catch2/catch.hpp>

#include "proofs_check/helpers.hpp"
#include "proofs_check/model_check.hpp"
#include "proofs_check/tolerance.hpp"
#include "proofs_check/verdict.hpp"

using namespace interplay;
using namespace interplay::proofs;
using namespace interplay::proofs::test;

namespace {
// INT4 symmetric with one scale for the tensor: amax 7 gives the step sigma = 1.
const std::string kInt4Tensor = R"({"quantizer":"int","bits":4,"granularity":"tensor"})";
const std::string kOneOfTwo = R"({"sparsifier":"nm","n":1,"m":2})";
}  // namespace

TEST_CASE("THEORY.md's T3 witness: (0.6, 1.4) tie at sigma under 1:2", "[proofs]") {
  // Groups (0.6, 1.4) and (7, 0). q = (1, 1, 7, 0); S keeps 1.4; Q->S keeps the
  // tie's lower index, so it prunes 1.4: E(s∘q) = 0.4 + 1.4 = 1.8 while
  // E(s) + E(q) = 0.6 + 0.8 = 1.4.
  const Case c = make_case(kInt4Tensor, kOneOfTwo, {1, 4});
  const Tensor x({1, 4}, {0.6f, 1.4f, 7.0f, 0.0f});
  REQUIRE(failing(c, "T3", phi(Phi::L1)).empty());
  const Measurement t3 = measure(c, "T3", phi(Phi::L1), x);
  CHECK(t3.value == Approx(0.4).margin(1e-6));
  CHECK(t3.violates());
  CHECK(t3.relative() == Approx(0.4 / 1.4).margin(1e-6));
  // Squared L2: 0.16 + 1.96 - 0.36 - 0.32.
  CHECK(measure(c, "T3", phi(Phi::L2Squared), x).value == Approx(1.44).margin(1e-6));
  // T2 on the same tensor: S->Q (error 1.0) beats Q->S (1.8).
  const Measurement t2 = measure(c, "T2", phi(Phi::L1), x);
  CHECK(t2.value == Approx(-0.8).margin(1e-6));
  CHECK_FALSE(t2.violates());
  // T1: E(q∘s) - E(s) - E(q) = -phi(|q(0.6) - 0.6|), the pruned element's rounding error.
  CHECK(measure(c, "T1", phi(Phi::L1), x).value == Approx(-0.4).margin(1e-6));
  // L1: nested (groups inside the one block), q(s(x)) agrees with q(x) on kept elements.
  CHECK(measure(c, "L1", Variant{}, x).value == 0.0);
}

TEST_CASE("T1 equality case: every pruned element representable gives exactly zero", "[proofs]") {
  const Case c = make_case(kInt4Tensor, R"({"sparsifier":"nm","n":2,"m":4})", {1, 4});
  const Tensor x({1, 4}, {7.0f, 3.0f, 1.0f, 2.0f});
  for (const auto& p : all_phis()) {
    const Measurement m = measure(c, "T1", phi(p.phi), x);
    CHECK(m.value == 0.0);
    CHECK_FALSE(m.violates());
  }
}

TEST_CASE("L1 fails for crossed partitions: a row loses its amax but keeps an element",
          "[proofs]") {
  // INT2 per row (step = row amax), 1:2 down the columns. Column 0 keeps 5
  // (row 1) and prunes 4, row 0's amax; row 0 keeps 3, now quantized with step
  // 3 (-> 3) instead of 4 (-> 4).
  const Case c = make_case(R"({"quantizer":"int","bits":2})",
                           R"({"sparsifier":"nm","n":1,"m":2,"axis":0})", {2, 2});
  CHECK(failing(c, "L1", Variant{}) == std::vector<std::string>{"partitions_nested"});
  const Measurement m = measure(c, "L1", Variant{}, Tensor({2, 2}, {4.0f, 3.0f, 5.0f, 1.0f}));
  CHECK(m.value == 1.0);
  CHECK(m.violates());
  CHECK(m.tolerance == 0.0);
}

TEST_CASE("T4: pruning removes the cancellation of quantization errors", "[proofs]") {
  // w = (7, 2.45, 0.6, -0.4), half pruned by magnitude (0.6 and -0.4), INT4 step 1,
  // a = (0, 1, 1, 1): delta_s = |-0.6 + 0.4| = 0.2, delta_q = |-0.45 + 0.4 + 0.4| = 0.35,
  // delta_{q∘s} = |-0.45 - 0.6 + 0.4| = 0.65 > 0.55.
  const Case c = make_case(kInt4Tensor, R"({"sparsifier":"magnitude","fraction":0.5})", {1, 4});
  const Tensor w({1, 4}, {7.0f, 2.45f, 0.6f, -0.4f});
  const Measurement m = measure(c, "T4", Variant{}, w, {0.0f, 1.0f, 1.0f, 1.0f});
  CHECK(m.value == Approx(0.1).margin(1e-6));
  CHECK(m.violates());
  CHECK(m.units == 1);
  CHECK(m.scale == Approx(0.55).margin(1e-6));
}

TEST_CASE("T5: isotropic equals the squared-L2 T1 gap; a rank-one covariance breaks it",
          "[proofs]") {
  const Case c = make_case(kInt4Tensor, R"({"sparsifier":"magnitude","fraction":0.5})", {1, 4});
  const Tensor w({1, 4}, {7.0f, 2.45f, 0.6f, -0.4f});
  const Measurement iso = measure(c, "T5", Variant{std::nullopt, Covariance::Isotropic}, w);
  CHECK(iso.value == Approx(measure(c, "T1", phi(Phi::L2Squared), w).value).margin(1e-12));
  CHECK_FALSE(iso.violates());
  // C = 1 1^T: F(f) = (sum Delta)^2: 0.65^2 - 0.2^2 - 0.35^2 = 0.26.
  const std::vector<double> ones(16, 1.0);
  const Measurement corr =
      measure(c, "T5", Variant{std::nullopt, Covariance::Correlated}, w, {}, &ones);
  CHECK(corr.value == Approx(0.26).margin(1e-6));
  CHECK(corr.violates());
}

TEST_CASE("M1: threshold and gaps from hand-computed model results", "[proofs]") {
  M1Pair p;
  p.loss0 = 1.0, p.loss_s = 1.2, p.loss_q = 1.1, p.loss_sq = 1.35, p.loss_qs = 1.25;
  p.acc0 = 0.90, p.acc_s = 0.85, p.acc_q = 0.88, p.acc_sq = 0.82, p.acc_qs = 0.84;
  CHECK(p.loss_threshold() == Approx(1.3));
  CHECK(p.loss_gap(true) == Approx(0.05));    // S->Q above the threshold: non-orthogonal
  CHECK(p.loss_gap(false) == Approx(-0.05));  // Q->S below it
  CHECK(p.acc_threshold() == Approx(0.83));
  CHECK(p.acc_gap(true) == Approx(0.01));
  CHECK(p.acc_gap(false) == Approx(-0.01));
  // Calls come from the intervals, not the point values: a positive gap whose
  // interval contains 0 is inconclusive, not a witness.
  p.loss_gap_ci[0] = {0.05, 0.01, 0.09};    // significantly above
  p.loss_gap_ci[1] = {-0.05, -0.09, 0.01};  // inconclusive despite the negative gap
  p.order_gap_ci = {-0.1, -0.15, -0.05};    // Q->S significantly better
  ModelCheckReport m;
  m.pairs = {p};
  CHECK(m.non_orthogonal(true) == 1);
  CHECK(m.non_orthogonal(false) == 0);
  CHECK(m.count_loss(false, stats::Call::Inconclusive) == 1);
  CHECK(m.s_first_better() == 0);
  CHECK(m.count_order(stats::Call::SignificantBelow) == 1);
  p.loss_gap_ci[0] = {0.05, -0.01, 0.11};  // the same gap, inside its interval
  m.pairs = {p};
  CHECK(m.non_orthogonal(true) == 0);
  CHECK(m.count_loss(true, stats::Call::Inconclusive) == 1);
  CHECK(verdict_passes(summarize_model(statement("M1"), 0, 0, false).verdict));  // skipped
  CHECK(summarize_model(statement("M1"), 1, 1, true).verdict == Verdict::WitnessFound);
  CHECK(summarize_model(statement("M1"), 1, 0, true).verdict == Verdict::NoWitness);
}

TEST_CASE("tolerance is the documented summation bound", "[proofs]") {
  CHECK(summation_tolerance(0, 1.0) == 8 * 0x1p-53);
  CHECK(summation_tolerance(512, 4.0) == 520 * 4.0 * 0x1p-53);
  // A quantity at the bound is not a violation; just above it is.
  Measurement m;
  m.tolerance = summation_tolerance(4, 1.0);
  m.value = m.tolerance;
  m.violating_units = m.value > m.tolerance;
  CHECK_FALSE(m.violates());
}
