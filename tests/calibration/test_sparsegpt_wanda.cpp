// SparseGPT (unstructured, N:M, joint with a quantizer, Q->S and S->Q) and Wanda.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cstring>
#include <numeric>

#include "calibration/helpers.hpp"
#include "support.hpp"

using namespace interplay;
using namespace interplay::test;
using Catch::Matchers::Contains;

namespace {

std::size_t zeros(const Tensor& t, std::size_t r0, std::size_t r1, std::size_t c0, std::size_t c1) {
  const std::size_t C = t.shape[1];
  std::size_t z = 0;
  for (std::size_t r = r0; r < r1; ++r)
    for (std::size_t c = c0; c < c1; ++c) z += t.data[r * C + c] == 0.0f;
  return z;
}

}  // namespace

TEST_CASE("SparseGPT with H = I is magnitude pruning per block, without update",
          "[calibration][sparsegpt]") {
  const Tensor w = normal_tensor({10, 48}, 1);
  const Calibration c = Calibration::from_hessian(identity(48));
  // One block over all columns and no dampening: U = I, scores w^2.
  const Tensor s =
      run(R"({"sparsifier":"sparsegpt","fraction":0.4,"solver_block":48,"dampening":0})", w, &c);
  const Tensor m = sparsify(R"({"sparsifier":"magnitude","fraction":0.4})", w);
  CHECK(std::memcmp(s.data.data(), m.data.data(), w.size() * 4) == 0);
  // Blocks of 16 columns: magnitude pruning of each block on its own.
  const Tensor b =
      run(R"({"sparsifier":"sparsegpt","fraction":0.4,"solver_block":16,"dampening":0})", w, &c);
  for (std::size_t b0 = 0; b0 < 48; b0 += 16) {
    Tensor blk({10, 16});
    for (std::size_t r = 0; r < 10; ++r)
      for (std::size_t k = 0; k < 16; ++k) blk.data[r * 16 + k] = w.data[r * 48 + b0 + k];
    const Tensor mb = sparsify(R"({"sparsifier":"magnitude","fraction":0.4})", blk);
    for (std::size_t r = 0; r < 10; ++r)
      for (std::size_t k = 0; k < 16; ++k) CHECK(b.data[r * 48 + b0 + k] == mb.data[r * 16 + k]);
  }
  // N:M with H = I is the nm sparsifier.
  const Tensor nm = run(R"({"sparsifier":"sparsegpt","n":2,"m":4})", w, &c);
  CHECK(std::memcmp(nm.data.data(), sparsify(R"({"sparsifier":"nm","n":2,"m":4})", w).data.data(),
                    w.size() * 4) == 0);
}

TEST_CASE("SparseGPT 3x3 OBS step by hand", "[calibration][sparsegpt]") {
  // H = [[4,1,0],[1,2,1],[0,1,3]], w = [3, 0.1, 2]; scores w_j^2 / U_jj^2 are
  // 9 / (5/17), 0.01 / 0.6 and 4 / (1/3): weight 1 is pruned. Column 0 is
  // kept (no error); pruning w1 with w0 fixed is OBS on H[1:,1:]:
  // w2 -= w1 * (H[1:,1:]^-1)_12 / (H[1:,1:]^-1)_11 = w2 + w1 * h12 / h22 = 2 + 0.1/3.
  const Tensor w({1, 3}, {3.0f, 0.1f, 2.0f});
  const Calibration c = Calibration::from_hessian(Tensor({3, 3}, {4, 1, 0, 1, 2, 1, 0, 1, 3}));
  const Tensor s =
      run(R"({"sparsifier":"sparsegpt","fraction":0.34,"dampening":0,"solver_block":3})", w, &c);
  CHECK(s.data[0] == 3.0f);
  CHECK(s.data[1] == 0.0f);
  CHECK(s.data[2] == Approx(2.0 + 0.1 / 3.0).epsilon(1e-6));
}

TEST_CASE("SparseGPT counts: exact floor(k s) per block, or the reference's floor(k s) + 1",
          "[calibration][sparsegpt]") {
  const Tensor w = normal_tensor({16, 100}, 3);
  const Tensor x = correlated_inputs(300, 100, 4);
  const Calibration c = Calibration::from_inputs(x);
  const Tensor a = run(R"({"sparsifier":"sparsegpt","fraction":0.5,"solver_block":32})", w, &c);
  const Tensor r =
      run(R"({"sparsifier":"sparsegpt","fraction":0.5,"solver_block":32,"reference_count":true})",
          w, &c);
  for (std::size_t b0 = 0; b0 < 100; b0 += 32) {
    const std::size_t b1 = std::min<std::size_t>(b0 + 32, 100), k = 16 * (b1 - b0);
    CHECK(zeros(a, 0, 16, b0, b1) == k / 2);
    CHECK(zeros(r, 0, 16, b0, b1) == k / 2 + 1);
  }
  // N:M: m - n zeros in every group of every row, whatever the update did.
  const Tensor nm = run(R"({"sparsifier":"sparsegpt","n":1,"m":4})", w, &c);
  for (std::size_t row = 0; row < 16; ++row)
    for (std::size_t g = 0; g < 100; g += 4) CHECK(zeros(nm, row, row + 1, g, g + 4) == 3);
  // The update lowers the layer error below mask-only pruning.
  const Tensor none =
      run(R"({"sparsifier":"sparsegpt","fraction":0.5,"solver_block":32,"update":"none"})", w, &c);
  CHECK(layer_error(w, a, x) < layer_error(w, none, x));
  CHECK(layer_error(w, a, x) < layer_error(w, sparsify(R"({"sparsifier":"magnitude"})", w), x));
}

TEST_CASE("joint SparseGPT: pruned weights exactly zero, kept weights on the grid",
          "[calibration][sparsegpt]") {
  const Tensor w = normal_tensor({12, 64}, 5);
  const Tensor x = correlated_inputs(200, 64, 6);
  const Calibration c = Calibration::from_inputs(x);
  for (const char* q : {"int4", "mxfp4", "nvfp4", "hbfp6", "mxfp8_e4m3"}) {
    for (const char* shape : {R"("fraction":0.5)", R"("n":2,"m":4)"}) {
      CAPTURE(q, shape);
      auto quant = build_quantizer(R"({"quantizer":")" + std::string(q) + "\"}");
      CheckingCodec codec(quant->codec(w.shape, "test"));
      calib::Problem p;
      p.codec = &codec;
      if (std::string(shape).find("fraction") != std::string::npos) {
        p.rule = calib::MaskRule::Unstructured, p.fraction = 0.5;
      } else {
        p.rule = calib::MaskRule::NM, p.n = 2, p.m = 4;
      }
      Tensor out = w;
      calib::solve(out, c.hessian(), p);
      CHECK(codec.off_grid_ == 0);
      CHECK(zeros(out, 0, 12, 0, 64) >= w.size() / 2);
      // The same through the plugin.
      const Tensor via = run(
          std::string(R"({"sparsifier":"sparsegpt",)") + shape + R"(,"quantizer":")" + q + "\"}", w,
          &c);
      CHECK(std::memcmp(via.data.data(), out.data.data(), w.size() * 4) == 0);
    }
  }
}

TEST_CASE("orders with SparseGPT: S->Q holds zeros, Q->S keeps the grid",
          "[calibration][sparsegpt]") {
  const Tensor w = normal_tensor({8, 64}, 7);
  const Tensor x = correlated_inputs(200, 64, 8);
  const Calibration c = Calibration::from_inputs(x);
  // S->Q: magnitude or sparsegpt, then GPTQ with the pruned weights held at zero.
  for (const char* s : {R"({"sparsifier":"magnitude","fraction":0.5})",
                        R"({"sparsifier":"sparsegpt","fraction":0.5})"}) {
    const auto p = Pipeline::from_json(json::parse(std::string(R"({"steps":[)") + s +
                                                   R"(,{"quantizer":"int4","solver":"gptq"}]})"));
    const auto outs = p.run_prefixes(w, &c);
    for (std::size_t i = 0; i < w.size(); ++i)
      if (outs[0].data[i] == 0.0f) CHECK(outs[1].data[i] == 0.0f);
  }
  // Q->S: the mask is chosen on the quantized weights by OBS saliency, and the
  // kept weights are left exactly as quantized (no update off the grid).
  const auto qs = Pipeline::from_json(json::parse(
      R"({"steps":[{"quantizer":"int4","solver":"gptq"},{"sparsifier":"sparsegpt","fraction":0.5}]})"));
  const auto outs = qs.run_prefixes(w, &c);
  std::size_t pruned = 0;
  for (std::size_t i = 0; i < w.size(); ++i) {
    if (outs[1].data[i] != 0.0f) CHECK(outs[1].data[i] == outs[0].data[i]);
    pruned += outs[1].data[i] == 0.0f;
  }
  CHECK(pruned >= w.size() / 2);
  // update=obs forces the update: kept weights move.
  const auto forced = Pipeline::from_json(json::parse(
      R"({"steps":[{"quantizer":"int4","solver":"gptq"},{"sparsifier":"sparsegpt","fraction":0.5,"update":"obs"}]})"));
  const auto f = forced.run_prefixes(w, &c);
  std::size_t moved = 0;
  for (std::size_t i = 0; i < w.size(); ++i)
    moved += f[1].data[i] != 0.0f && f[1].data[i] != f[0].data[i];
  CHECK(moved > 0);
}

TEST_CASE("SparseGPT and Wanda refuse to run without calibration, naming the step",
          "[calibration][sparsegpt][wanda]") {
  const Tensor w = normal_tensor({4, 8}, 9);
  for (const char* name : {"sparsegpt", "wanda"}) {
    const auto p = Pipeline::from_json(json::parse(
        std::string(R"({"steps":[{"quantizer":"int8"},{"sparsifier":")") + name + "\"}]}"));
    CHECK_THROWS_WITH(p.apply(w),
                      Contains("pipeline.steps[1]") && Contains(name) && Contains("calibration"));
  }
  CHECK_THROWS_WITH(Pipeline::from_json(json::parse(
                        R"({"sparsifier":"sparsegpt","quantizer":{"quantizer":"int4","bitz":3}})")),
                    Contains("bitz"));
  CHECK(sparsifiers().contains("wanda"));
  CHECK(sparsifiers().contains("sparsegpt"));
}

TEST_CASE("Wanda's mask equals a full stable sort of |w| * ||x_j||", "[calibration][wanda]") {
  const std::size_t R = 9, C = 40;
  const Tensor w = normal_tensor({R, C}, 10);
  Tensor x = correlated_inputs(50, C, 11);
  const Calibration c = Calibration::from_inputs(x);
  std::vector<double> norm(C, 0.0);
  for (std::size_t r = 0; r < 50; ++r)
    for (std::size_t j = 0; j < C; ++j) norm[j] += double(x.data[r * C + j]) * x.data[r * C + j];
  const Tensor out = run(R"({"sparsifier":"wanda","fraction":0.3})", w, &c);
  const std::size_t k = std::size_t(double(C) * 0.3);
  for (std::size_t r = 0; r < R; ++r) {
    std::vector<std::size_t> order(C);
    std::iota(order.begin(), order.end(), std::size_t(0));
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      return std::fabs(w.data[r * C + a]) * std::sqrt(norm[a]) <
             std::fabs(w.data[r * C + b]) * std::sqrt(norm[b]);
    });
    std::vector<bool> pruned(C, false);
    for (std::size_t i = 0; i < k; ++i) pruned[order[i]] = true;
    for (std::size_t j = 0; j < C; ++j)
      CHECK(out.data[r * C + j] == (pruned[j] ? 0.0f : w.data[r * C + j]));
  }
  // From H alone: the same mask (the ranking is invariant to a common factor).
  const Calibration h = Calibration::from_hessian(c.hessian());
  CHECK(std::memcmp(run(R"({"sparsifier":"wanda","fraction":0.3})", w, &h).data.data(),
                    out.data.data(), w.size() * 4) == 0);
  // Ties: equal scores prune the lower index first (torch.sort(stable=True)).
  const Tensor flat({1, 4}, {1, 1, 1, 1});
  const Calibration ones = Calibration::from_hessian(identity(4));
  const Tensor t = run(R"({"sparsifier":"wanda","fraction":0.5})", flat, &ones);
  CHECK(t.data[0] == 0.0f);
  CHECK(t.data[1] == 0.0f);
  CHECK(t.data[2] == 1.0f);
  // N:M: in every group of m, the m - n smallest scores are pruned.
  const Tensor nm = run(R"({"sparsifier":"wanda","n":2,"m":4})", w, &c);
  for (std::size_t r = 0; r < R; ++r)
    for (std::size_t g = 0; g < C; g += 4) {
      std::vector<std::size_t> idx{g, g + 1, g + 2, g + 3};
      std::sort(idx.begin(), idx.end(), [&](std::size_t a, std::size_t b) {
        return std::fabs(w.data[r * C + a]) * std::sqrt(norm[a]) <
               std::fabs(w.data[r * C + b]) * std::sqrt(norm[b]);
      });
      CHECK(nm.data[r * C + idx[0]] == 0.0f);
      CHECK(nm.data[r * C + idx[1]] == 0.0f);
      CHECK(nm.data[r * C + idx[2]] != 0.0f);
      CHECK(nm.data[r * C + idx[3]] != 0.0f);
    }
}
