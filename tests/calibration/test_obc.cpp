// OBC / ExactOBS pruning: greedy exact OBS per row.
#include <catch2/catch.hpp>

#include "calibration/helpers.hpp"
#include "support.hpp"

using namespace interplay;
using namespace interplay::test;

TEST_CASE("OBC 3x3 OBS step by hand", "[calibration][obc]") {
  // H = [[4,1,0],[1,2,1],[0,1,3]], H^-1 = [[5,-3,1],[-3,12,-4],[1,-4,7]] / 17.
  // Saliencies w_j^2 / [H^-1]_jj: 30.6, 0.0142, 9.71 -> remove w1;
  // w -= H^-1[1,:] w1 / [H^-1]_11 = w - [-3, 12, -4] * 0.1 / 12.
  const Tensor w({1, 3}, {3.0f, 0.1f, 2.0f});
  const Calibration c = Calibration::from_hessian(Tensor({3, 3}, {4, 1, 0, 1, 2, 1, 0, 1, 3}));
  const Tensor s = run(R"({"sparsifier":"obc","fraction":0.3})", w, &c);
  CHECK(s.data[0] == Approx(3.025).epsilon(1e-6));
  CHECK(s.data[1] == 0.0f);
  CHECK(s.data[2] == Approx(2.0 + 0.4 / 12.0).epsilon(1e-6));
}

TEST_CASE("OBC: layer-wide count, N:M groups, lower error than magnitude", "[calibration][obc]") {
  const Tensor w = normal_tensor({8, 32}, 1);
  const Tensor x = correlated_inputs(200, 32, 2);
  const Calibration c = Calibration::from_inputs(x);
  const Tensor u = run(R"({"sparsifier":"obc","fraction":0.5})", w, &c);
  std::size_t z = 0;
  for (float v : u.data) z += v == 0.0f;
  CHECK(z == 128);
  CHECK(layer_error(w, u, x) < layer_error(w, sparsify(R"({"sparsifier":"magnitude"})", w), x));
  const Tensor nm = run(R"({"sparsifier":"obc","n":2,"m":4})", w, &c);
  for (std::size_t r = 0; r < 8; ++r)
    for (std::size_t g = 0; g < 32; g += 4) {
      std::size_t zg = 0;
      for (std::size_t k = 0; k < 4; ++k) zg += nm.data[r * 32 + g + k] == 0.0f;
      CHECK(zg == 2);
    }
  CHECK(layer_error(w, nm, x) <
        layer_error(w, sparsify(R"({"sparsifier":"nm","n":2,"m":4})", w), x));
  // With H = I the OBS path is magnitude pruning, allocated layer-wide.
  const Calibration id = Calibration::from_hessian(identity(32));
  const Tensor m = run(R"({"sparsifier":"obc","fraction":0.25})", w, &id);
  const Tensor ref = sparsify(R"({"sparsifier":"magnitude","fraction":0.25})", w);
  for (std::size_t i = 0; i < w.size(); ++i) CHECK((m.data[i] == 0.0f) == (ref.data[i] == 0.0f));
}

TEST_CASE("OBQ (solver obc): H = I is RTN; correlated inputs beat RTN; outputs on the grid",
          "[calibration][obc]") {
  const Tensor w = normal_tensor({6, 32}, 3);
  const Calibration id = Calibration::from_hessian(identity(32));
  for (const char* q : {R"({"quantizer":"int4")", R"({"quantizer":"mxfp4","block":16)",
                        R"({"quantizer":"int","bits":3,"scheme":"asymmetric")"}) {
    CAPTURE(q);
    const Tensor rtn = run(std::string(q) + "}", w, nullptr);
    const Tensor obq = run(std::string(q) + R"(,"solver":"obc","dampening":0})", w, &id);
    for (std::size_t i = 0; i < w.size(); ++i) CHECK(obq.data[i] == rtn.data[i]);
  }
  int wins = 0;
  for (unsigned t = 0; t < 10; ++t) {
    const Tensor wt = normal_tensor({6, 32}, 40 + t);
    const Tensor x = correlated_inputs(128, 32, 60 + t);
    const Calibration c = Calibration::from_inputs(x);
    const std::string step = R"({"quantizer":"int","bits":3,"scheme":"asymmetric")";
    const Tensor q = run(step + R"(,"solver":"obc"})", wt, &c);
    wins += layer_error(wt, q, x) <= layer_error(wt, run(step + "}", wt, nullptr), x);
    // On the grid: every value is a multiple of the row's RTN scale within its levels.
    auto quant = build_quantizer(step + "}");
    auto codec = quant->codec(wt.shape, "test");
    codec->begin(wt.data.data(), 6, 32);
    for (std::size_t i = 0; i < wt.size(); ++i)
      CHECK(codec->quantize(0, i / 32, q.data[i], i) == q.data[i]);
  }
  CHECK(wins >= 9);
}
