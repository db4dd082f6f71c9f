// OBC / ExactOBS pruning (Frantar & Alistarh, IST-DASLab/OBC trueobs.py): for
// each output row, weights are removed one at a time greedily by the exact OBS
// saliency w_j^2 / [H^-1]_jj, every removal updating the remaining weights
// (w -= H^-1[j,:] w_j / [H^-1]_jj) and downdating H^-1 by the removed
// coordinate. O(in^3) per row: small layers only.
//  * unstructured (`fraction`): as prepare_unstr + prune_blocked, the row's
//    whole removal path is computed, and the layer's ceil(rows * in * s)
//    smallest step losses (over all rows) decide how many weights each row
//    loses (non-uniform per-row sparsity, the reference's allocation);
//  * N:M (`n` kept of every `m`, the reference's prunen = m - n): a group
//    stops accepting removals once m - n of its weights are gone (nmprune).
// As the reference: H^-1 = cholesky_inverse(cholesky(H + dampening * mean
// diag H)), retried with + I if not positive definite (dampening defaults to
// its rel_damp = 0); dead inputs zero their column. Deviation: rows that
// already hold zeros have all of them eliminated before the path starts
// (the reference eliminates the first min-over-32-rows of them and lets the
// loop take the rest at zero cost, the same result up to rounding).
#include <algorithm>
#include <cmath>
#include <numeric>

#include "calibration/obs.hpp"
#include "core/error.hpp"
#include "core/registry.hpp"
#include "sparsifiers/calibrated.hpp"

namespace interplay {
namespace {

class ObcSparsifier final : public CalibratedSparsifier {
 public:
  explicit ObcSparsifier(const Params& p)
      : CalibratedSparsifier("obc", p), damp_(p.real("dampening")) {}

  void prune(const Tensor& in, Tensor& out, const CalibrationContext& ctx) const override {
    const std::size_t R = in.shape[0], C = in.shape[1];
    if (m_ > 0 && C % m_ != 0)
      throw Error(at(ctx.where + ".m", "obc N:M needs in = " + std::to_string(C) +
                                           " to be a multiple of m = " + std::to_string(m_)));
    for (float v : in.data)
      if (!std::isfinite(v)) throw Error(at(ctx.where, "the weight contains NaN or Inf"));
    std::vector<float> H = ctx.data->hessian().data;
    if (damp_ > 0) {
      double mean = 0;
      for (std::size_t i = 0; i < C; ++i) mean += H[i * C + i];
      const float d = static_cast<float>(damp_) * static_cast<float>(mean / double(C));
      for (std::size_t i = 0; i < C; ++i) H[i * C + i] += d;
    }
    Tensor w = in;
    for (std::size_t i = 0; i < C; ++i)
      if (H[i * C + i] == 0.0f) {
        H[i * C + i] = 1.0f;
        for (std::size_t r = 0; r < R; ++r) w.data[r * C + i] = 0.0f;
      }
    const std::vector<float> Hinv = calib::obc_inverse(H, C, "obc");

    if (m_ > 0) {
      const std::size_t prune = m_ - n_, target = C / m_ * prune;
#pragma omp parallel for schedule(dynamic)
      for (std::int64_t r = 0; r < std::int64_t(R); ++r)
        path(H, Hinv, w.data.data() + std::size_t(r) * C, C, target, nullptr, prune);
    } else {
      // Pass 1: every row's loss path; allocation; pass 2: replay each row to
      // its count (the same deterministic computation, instead of storing
      // (in + 1) x in traces per row).
      std::vector<float> losses(R * C, 0.0f);
      std::vector<float> start = w.data;
#pragma omp parallel for schedule(dynamic)
      for (std::int64_t r = 0; r < std::int64_t(R); ++r) {
        std::vector<float> row(start.begin() + r * std::int64_t(C),
                               start.begin() + (r + 1) * std::int64_t(C));
        path(H, Hinv, row.data(), C, C, losses.data() + std::size_t(r) * C, 0);
      }
      std::vector<std::uint32_t> order(R * C);
      std::iota(order.begin(), order.end(), 0u);
      std::stable_sort(order.begin(), order.end(),
                       [&](std::uint32_t a, std::uint32_t b) { return losses[a] < losses[b]; });
      const std::size_t count =
          std::min(R * C, std::size_t(std::ceil(double(R) * double(C) * fraction_)));
      std::vector<std::size_t> per_row(R, 0);
      for (std::size_t k = 0; k < count; ++k) ++per_row[order[k] / C];
#pragma omp parallel for schedule(dynamic)
      for (std::int64_t r = 0; r < std::int64_t(R); ++r)
        path(H, Hinv, w.data.data() + std::size_t(r) * C, C, per_row[std::size_t(r)], nullptr, 0);
    }
    out = std::move(w);
  }

  // Unstructured: one layer-wide count allocated across rows by OBS loss.
  SparsifierDescription describe() const override {
    SparsifierDescription d = target(Partitioning::tensor());
    d.score = SparsityScore::Obs;
    d.update = SparsityUpdate::Obs;
    return d;
  }

 private:
  // Removes weights of one row greedily until `target` are zero (counting the
  // zeros it starts with); losses[k] (k = zeros - 1) gets each step's loss / 2.
  // group_prune > 0: N:M, a group of m_ takes at most that many removals.
  void path(const std::vector<float>& H, const std::vector<float>& Hinv_all, float* w,
            std::size_t C, std::size_t target, float* losses, std::size_t group_prune) const {
    std::vector<std::uint8_t> mask(C, 0);
    std::size_t zeros = 0;
    for (std::size_t j = 0; j < C; ++j) zeros += w[j] == 0.0f;
    std::vector<float> Hinv;
    if (zeros && !group_prune) {
      // Existing zeros are eliminated first: H with their rows/columns
      // replaced by the identity, inverted (the reference's prepare_sparse).
      std::vector<float> h1 = H;
      for (std::size_t j = 0; j < C; ++j)
        if (w[j] == 0.0f) {
          for (std::size_t k = 0; k < C; ++k) h1[j * C + k] = h1[k * C + j] = 0.0f;
          h1[j * C + j] = 1.0f;
          mask[j] = 1;
        }
      Hinv = calib::obc_inverse(h1, C, "obc");
    } else {
      Hinv = Hinv_all;
      zeros = 0;
    }
    std::vector<std::size_t> bucket(group_prune ? C / m_ : 0, 0);
    std::vector<float> row(C);
    for (std::size_t z = zeros + 1; z <= target; ++z) {
      std::size_t j = C;
      float best = std::numeric_limits<float>::infinity();
      for (std::size_t k = 0; k < C; ++k) {
        if (mask[k] || (group_prune && bucket[k / m_] >= group_prune)) continue;
        const float s = (w[k] * w[k]) / Hinv[k * C + k];
        if (j == C || s < best) best = s, j = k;  // first minimum, as torch.argmin
      }
      if (j == C) break;
      if (losses) losses[z - 1] = best / 2.0f;
      const float d = Hinv[j * C + j], f = w[j] / d;
      for (std::size_t k = 0; k < C; ++k) row[k] = Hinv[j * C + k];
      for (std::size_t k = 0; k < C; ++k) w[k] -= row[k] * f;
      mask[j] = 1;
      if (group_prune)
        ++bucket[j / m_];
      else
        for (std::size_t k = 0; k < C; ++k)
          if (mask[k]) w[k] = 0.0f;
      if (z == C) break;
      const float sd = std::sqrt(d);
      for (std::size_t k = 0; k < C; ++k) row[k] /= sd;
      for (std::size_t a = 0; a < C; ++a)
        for (std::size_t b = 0; b < C; ++b) Hinv[a * C + b] -= row[a] * row[b];
    }
    for (std::size_t k = 0; k < C; ++k)
      if (mask[k]) w[k] = 0.0f;
  }

  double damp_;
};

}  // namespace

void register_obc_sparsifier(Registry<Sparsifier>& r) {
  r.add({"obc",
         "OBC / ExactOBS: greedy exact OBS pruning per row with full inverse-Hessian updates, "
         "unstructured (layer-wide allocation) or N:M; small layers (needs calibration)",
         {ParamSpec::real("fraction", 0.5, 0.0, 1.0,
                          "fraction of the layer's elements pruned: ceil(rows * in * fraction) "
                          "(the reference's count), allocated across rows by OBS loss"),
          sparsity::n_param(), sparsity::m_param(),
          ParamSpec::real("dampening", 0.0, 0.0, 1e6,
                          "added to diag H relative to its mean (the reference's rel_damp)")},
         [](const Params& p) { return std::make_unique<ObcSparsifier>(p); }});
}

}  // namespace interplay
