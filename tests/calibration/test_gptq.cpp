// GPTQ through every quantizer's own scale rule and grid (format x solver).
#include <catch2/catch.hpp>
#include <cstring>

#include "calibration/helpers.hpp"
#include "support.hpp"

using namespace interplay;
using namespace interplay::test;
using Catch::Matchers::Contains;

namespace {

// Every configuration that supports the solvers (presets and plugins without
// one), plus the plugin variants whose scale rules differ.
std::vector<std::string> quantizer_steps() {
  std::vector<std::string> steps;
  for (const auto& name : quantizers().configurations())
    if (quantizers().describe(name).solvers) steps.push_back(R"({"quantizer":")" + name + R"("})");
  for (const char* s :
       {R"({"quantizer":"int","bits":4,"scheme":"asymmetric"})",
        R"({"quantizer":"int","bits":3,"scheme":"gptq_symmetric"})",
        R"({"quantizer":"int","bits":4,"scheme":"asymmetric","granularity":"group","block":8})",
        R"({"quantizer":"int","bits":4,"granularity":"tensor"})",
        R"({"quantizer":"int","bits":4,"scheme":"asymmetric","clip":"mse"})",
        R"({"quantizer":"int","bits":4,"clip":"percentile","percentile":99})",
        R"({"quantizer":"fp","format":"fp4_e2m1","scale":"channel"})",
        R"({"quantizer":"fp","format":"fp6_e3m2","scale":"tensor"})",
        R"({"quantizer":"mxfp4","rounding":"stochastic","seed":3})",
        R"({"quantizer":"mxfp6_e2m3","block":16})"})
    steps.push_back(s);
  return steps;
}

std::string with_solver(std::string step, const std::string& extra = "") {
  step.pop_back();
  return step + R"(,"solver":"gptq")" + extra + "}";
}

bool same(const Tensor& a, const Tensor& b) {
  return a.shape == b.shape &&
         std::memcmp(a.data.data(), b.data.data(), a.size() * sizeof(float)) == 0;
}

}  // namespace

TEST_CASE("GPTQ with H = I is round-to-nearest, bit for bit, for every quantizer",
          "[calibration][gptq]") {
  const Tensor w = normal_tensor({12, 80}, 7);
  const Calibration c = Calibration::from_hessian(identity(80));
  for (const auto& step : quantizer_steps()) {
    CAPTURE(step);
    const Tensor rtn = run(step, w, nullptr);
    CHECK(same(run(with_solver(step), w, &c), rtn));
    // act_order with equal diagonal is the identity permutation; a diagonal H
    // with distinct entries permutes, but without feedback the result is RTN.
    CHECK(same(run(with_solver(step, R"(,"solver_block":16,"act_order":true,"static_groups":true)"),
                   w, &c),
               rtn));
  }
  Tensor h = identity(80);
  for (std::size_t i = 0; i < 80; ++i) h.data[i * 80 + i] = 1.0f + float((i * 37) % 80);
  const Calibration diag = Calibration::from_hessian(h);
  for (const char* step : {R"({"quantizer":"int4"})", R"({"quantizer":"mxfp4"})",
                           R"({"quantizer":"int","bits":4,"granularity":"group","block":8})"}) {
    CAPTURE(step);
    const Tensor rtn = run(step, w, nullptr);
    CHECK(same(run(with_solver(step, R"(,"act_order":true,"static_groups":true)"), w, &diag), rtn));
  }
}

TEST_CASE("GPTQ 2x2 step by hand: the first column's error moves the second weight",
          "[calibration][gptq]") {
  // INT4 symmetric per tensor: amax 7 -> scale 1. H = [[2,1,0],[1,2,0],[0,0,1]],
  // no dampening. Column 0: 6.6 -> 7, error -0.4; OBS: w1 -= err * Hinv01 / Hinv00
  // = 2.6 - (-0.4)(-1/2) = 2.4 -> 2, where round to nearest gives 3. Column 2
  // is uncorrelated: 7 stays 7.
  const Tensor w({1, 3}, {6.6f, 2.6f, 7.0f});
  const Calibration c = Calibration::from_hessian(Tensor({3, 3}, {2, 1, 0, 1, 2, 0, 0, 0, 1}));
  const Tensor q =
      run(R"({"quantizer":"int","bits":4,"granularity":"tensor","solver":"gptq","dampening":0})", w,
          &c);
  CHECK(q.data[0] == 7.0f);
  CHECK(q.data[1] == 2.0f);
  CHECK(q.data[2] == 7.0f);
  CHECK(run(R"({"quantizer":"int","bits":4,"granularity":"tensor"})", w, nullptr).data[1] == 3.0f);
}

TEST_CASE("GPTQ beats RTN on the layer output with correlated inputs (rate >= 90%)",
          "[calibration][gptq]") {
  // 30 random layers per format; the rate is stated and asserted, not every trial.
  for (const char* step :
       {R"({"quantizer":"int","bits":4,"scheme":"asymmetric"})", R"({"quantizer":"mxfp4"})",
        R"({"quantizer":"nvfp4"})", R"({"quantizer":"hbfp4"})"}) {
    int wins = 0;
    const int trials = 30;
    for (int t = 0; t < trials; ++t) {
      const Tensor w = normal_tensor({16, 64}, 100 + unsigned(t));
      const Tensor x = correlated_inputs(256, 64, 500 + unsigned(t));
      const Calibration c = Calibration::from_inputs(x);
      const double e_rtn = layer_error(w, run(step, w, nullptr), x);
      const double e_gptq = layer_error(w, run(with_solver(step), w, &c), x);
      wins += e_gptq <= e_rtn;
    }
    CAPTURE(step, wins);
    CHECK(wins >= 27);
  }
}

TEST_CASE("GPTQ outputs are on each quantizer's grid for every preset", "[calibration][gptq]") {
  const Tensor w = normal_tensor({8, 96}, 11);
  const Tensor x = correlated_inputs(128, 96, 12);
  const Calibration c = Calibration::from_inputs(x);
  for (const auto& step : quantizer_steps()) {
    for (const char* extra : {"", R"(,"act_order":true,"static_groups":true)"}) {
      CAPTURE(step, extra);
      auto q = build_quantizer(step);
      CheckingCodec codec(q->codec(w.shape, "test"));
      calib::Problem p;
      p.codec = &codec;
      p.options.act_order = std::strlen(extra) > 0;
      p.options.static_groups = p.options.act_order;
      Tensor out = w;
      calib::solve(out, c.hessian(), p);
      CHECK(codec.calls_ == w.size());
      CHECK(codec.off_grid_ == 0);
      for (float v : out.data) CHECK(std::isfinite(v));
      // Through the pipeline: same result as the direct solver call.
      if (!p.options.act_order) CHECK(same(run(with_solver(step), w, &c), out));
    }
  }
}

TEST_CASE("GPTQ: per-channel scales come from the original W, groups when reached",
          "[calibration][gptq]") {
  // Per channel: rows' scales fixed before any update, so every output value
  // is a multiple of RTN's per-row scale.
  const Tensor w = normal_tensor({6, 40}, 21);
  const Calibration c = Calibration::from_inputs(correlated_inputs(200, 40, 22));
  const Tensor q = run(R"({"quantizer":"int4","solver":"gptq"})", w, &c);
  for (std::size_t r = 0; r < 6; ++r) {
    float amax = 0;
    for (std::size_t j = 0; j < 40; ++j) amax = std::max(amax, std::fabs(w.data[r * 40 + j]));
    const float scale = amax / 7.0f;
    for (std::size_t j = 0; j < 40; ++j) {
      const float v = q.data[r * 40 + j] / scale;
      CHECK(std::fabs(v - std::nearbyint(v)) < 1e-4f);
      CHECK(std::fabs(v) <= 7.0f + 1e-4f);
    }
  }
}

TEST_CASE("GPTQ: dead columns, singular H and dampening", "[calibration][gptq]") {
  const Tensor w = normal_tensor({4, 16}, 31);
  Tensor x = correlated_inputs(64, 16, 32);
  for (std::size_t r = 0; r < 64; ++r) x.data[r * 16 + 5] = 0.0f;  // input 5 never active
  const Calibration c = Calibration::from_inputs(x);
  const Tensor q = run(R"({"quantizer":"int8","solver":"gptq"})", w, &c);
  for (std::size_t r = 0; r < 4; ++r) CHECK(q.data[r * 16 + 5] == 0.0f);
  // n < in: H is singular; the default dampening makes it positive definite.
  const Calibration few = Calibration::from_inputs(correlated_inputs(4, 16, 33));
  const Tensor qs = run(R"({"quantizer":"int8","solver":"gptq"})", w, &few);
  for (float v : qs.data) CHECK(std::isfinite(v));
  CHECK_THROWS_WITH(
      Pipeline::from_json(
          json::parse(R"({"steps":[{"quantizer":"int8","solver":"gptq","dampening":0}]})"))
          .apply(w, &few),
      Contains("pipeline.steps[0]") && Contains("positive definite") && Contains("dampening"));
}

TEST_CASE("GPTQ refuses what it cannot define, naming the step", "[calibration][gptq]") {
  const Tensor w = normal_tensor({4, 64}, 41);
  const Calibration c = Calibration::from_inputs(correlated_inputs(32, 64, 42));
  auto fails = [&](const std::string& pipeline, const std::string& what) {
    CAPTURE(pipeline);
    CHECK_THROWS_WITH(Pipeline::from_json(json::parse(pipeline)).apply(w, &c),
                      Contains("pipeline.steps[0]") && Contains(what));
  };
  fails(R"({"steps":[{"quantizer":"mxfp4","solver":"gptq","axis":0}]})", "last axis");
  fails(R"({"steps":[{"quantizer":"mxfp4","solver":"gptq","act_order":true}]})", "static_groups");
  CHECK_THROWS_WITH(
      Pipeline::from_json(json::parse(R"({"steps":[{"quantizer":"int4","solver":"gptq"}]})"))
          .apply(w),
      Contains("pipeline.steps[0]") && Contains("needs calibration"));
  const Calibration wrong = Calibration::from_inputs(correlated_inputs(32, 10, 43));
  CHECK_THROWS_WITH(
      Pipeline::from_json(json::parse(R"({"steps":[{"quantizer":"int4","solver":"gptq"}]})"))
          .apply(w, &wrong),
      Contains("[32,10]") && Contains("[4,64]"));
}

TEST_CASE("GPTQ: act_order without static groups follows the reference for INT groups",
          "[calibration][gptq]") {
  const Tensor w = normal_tensor({8, 64}, 51);
  const Tensor x = correlated_inputs(256, 64, 52);
  const Calibration c = Calibration::from_inputs(x);
  const std::string step =
      R"({"quantizer":"int","bits":4,"scheme":"asymmetric","granularity":"group","block":16,"solver":"gptq")";
  const Tensor a = run(step + R"(,"act_order":true})", w, &c);
  const Tensor b = run(step + R"(,"act_order":true,"static_groups":true})", w, &c);
  const Tensor rtn =
      run(R"({"quantizer":"int","bits":4,"scheme":"asymmetric","granularity":"group","block":16})",
          w, nullptr);
  CHECK(layer_error(w, a, x) < layer_error(w, rtn, x));
  CHECK(layer_error(w, b, x) < layer_error(w, rtn, x));
}

TEST_CASE("rtn stays the default and leaves quantize() unchanged", "[calibration][gptq]") {
  const Tensor w = normal_tensor({8, 64}, 61);
  for (const auto& step : quantizer_steps()) {
    CAPTURE(step);
    std::string explicit_rtn = step;
    explicit_rtn.pop_back();
    explicit_rtn += R"(,"solver":"rtn"})";
    CHECK(same(run(explicit_rtn, w, nullptr), quantize(step, w)));
  }
  const auto& params = quantizers().plugins().at("mx").params;
  CHECK(std::any_of(params.begin(), params.end(), [](auto& p) { return p.name == "solver"; }));
}

TEST_CASE("GPTQ's lazy blocks equal the plain column-by-column OBS loop", "[calibration][gptq]") {
  // The unblocked algorithm written out: quantize column j, spread its error
  // over every later column with row j of U, next column. Blocking only
  // reorders float additions, so levels agree except on rare rounding flips.
  const std::size_t R = 16, C = 50;
  const Tensor w = normal_tensor({R, C}, 71);
  const Tensor x = correlated_inputs(200, C, 72);
  const Calibration c = Calibration::from_inputs(x);
  const std::string step = R"({"quantizer":"int","bits":4,"scheme":"asymmetric")";
  auto quant = build_quantizer(step + "}");
  auto codec = quant->codec(w.shape, "test");
  codec->begin(w.data.data(), R, C);
  const std::vector<float> U = calib::inverse_factor(c.hessian().data, C, 0.01, "test");
  Tensor plain = w, W = w;
  for (std::size_t j = 0; j < C; ++j)
    for (std::size_t r = 0; r < R; ++r) {
      const float v = W.data[r * C + j], q = codec->quantize(0, r, v, r * C + j);
      plain.data[r * C + j] = q;
      const float err = (v - q) / U[j * C + j];
      for (std::size_t k = j + 1; k < C; ++k) W.data[r * C + k] -= err * U[j * C + k];
    }
  for (int block : {1, 7, 16, 128}) {
    CAPTURE(block);
    const Tensor q =
        run(step + R"(,"solver":"gptq","solver_block":)" + std::to_string(block) + "}", w, &c);
    std::size_t same_rows = 0;
    for (std::size_t r = 0; r < R; ++r)
      same_rows += std::equal(q.data.begin() + std::ptrdiff_t(r * C),
                              q.data.begin() + std::ptrdiff_t((r + 1) * C),
                              plain.data.begin() + std::ptrdiff_t(r * C));
    CHECK(same_rows >= R - 1);
    CHECK(layer_error(w, q, x) == Approx(layer_error(w, plain, x)).epsilon(1e-3));
  }
}
