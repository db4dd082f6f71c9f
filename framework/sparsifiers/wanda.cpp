// Wanda (Sun et al., locuslab/wanda `prune_wanda`): prune by the score
// |W_ij| * sqrt(s_j), s_j = ||X_j||_2^2 the input feature's energy, within
// each output row (the reference's default comparison group), or N:M along
// the row. No weight update. As the reference:
//  * unstructured: a stable ascending sort of each row's scores, the first
//    floor(in * fraction) pruned (ties prune the LOWER index first);
//  * N:M (n kept of every m, the reference's prune_n is m - n): per group of m
//    columns the m - n smallest scores pruned (torch.topk; ties here prune the
//    higher index, as the nm sparsifier);
//  * the reference's use_variant (a cumulative-sum threshold) is off by
//    default there and not implemented here.
// scope=tensor compares all rows together (stable order over flat indices).
#include <algorithm>
#include <cmath>
#include <numeric>

#include "core/error.hpp"
#include "core/registry.hpp"
#include "sparsifiers/calibrated.hpp"
#include "sparsifiers/params.hpp"

namespace interplay {
namespace {

class WandaSparsifier final : public CalibratedSparsifier {
 public:
  explicit WandaSparsifier(const Params& p)
      : CalibratedSparsifier("wanda", p), per_row_(p.str("scope") == "row") {}

  void prune(const Tensor& in, Tensor& out, const CalibrationContext& ctx) const override {
    const std::size_t R = in.shape[0], C = in.shape[1];
    const std::vector<float>& s = ctx.data->feature_scale();
    std::vector<float> root(C), score(in.size());
    for (std::size_t j = 0; j < C; ++j) root[j] = std::sqrt(s[j]);
    for (std::size_t r = 0; r < R; ++r)
      for (std::size_t j = 0; j < C; ++j)
        score[r * C + j] = std::fabs(in.data[r * C + j]) * root[j];
    std::vector<std::uint8_t> pruned(in.size(), 0);
    if (m_ > 0) {
#pragma omp parallel for schedule(static) if (in.size() > (1u << 16))
      for (std::int64_t ri = 0; ri < std::int64_t(R); ++ri) {
        const std::size_t r = std::size_t(ri);
        for (std::size_t j0 = 0; j0 < C; j0 += m_) {
          const std::size_t w = std::min(m_, C - j0), drop = w - std::min(n_, w);
          prune_first(score.data() + r * C + j0, w, drop, pruned.data() + r * C + j0, false);
        }
      }
    } else if (per_row_) {
      const std::size_t k = static_cast<std::size_t>(double(C) * fraction_);
#pragma omp parallel for schedule(static) if (in.size() > (1u << 16))
      for (std::int64_t ri = 0; ri < std::int64_t(R); ++ri)
        prune_first(score.data() + std::size_t(ri) * C, C, k, pruned.data() + std::size_t(ri) * C,
                    true);
    } else {
      const std::size_t k = static_cast<std::size_t>(double(in.size()) * fraction_);
      prune_first(score.data(), in.size(), k, pruned.data(), true);
    }
    if (&out != &in) out = in;
    for (std::size_t i = 0; i < out.size(); ++i)
      if (pruned[i]) out.data[i] = 0.0f;
  }

  // Rows are output channels of a 2-D weight: the groups run along the last axis.
  SparsifierDescription describe() const override {
    SparsifierDescription d =
        target(per_row_ ? Partitioning::blocks(-1, 0) : Partitioning::tensor());
    d.score = SparsityScore::Wanda;
    return d;
  }

 private:
  // Marks the k smallest of s[0..n); among equal scores the lower index goes
  // first when `stable` (torch.sort(stable=True)), else the higher one.
  static void prune_first(const float* s, std::size_t n, std::size_t k, std::uint8_t* mask,
                          bool stable) {
    if (k == 0) return;
    std::vector<std::uint32_t> idx(n);
    std::iota(idx.begin(), idx.end(), 0u);
    auto before = [s, stable](std::uint32_t a, std::uint32_t b) {
      return s[a] < s[b] || (s[a] == s[b] && (stable ? a < b : a > b));
    };
    if (k < n) std::nth_element(idx.begin(), idx.begin() + std::ptrdiff_t(k), idx.end(), before);
    for (std::size_t i = 0; i < std::min(k, n); ++i) mask[idx[i]] = 1;
  }

  bool per_row_;
};

}  // namespace

void register_wanda_sparsifier(Registry<Sparsifier>& r) {
  r.add({"wanda",
         "Wanda: prune the smallest |w| * ||x_j||_2 per output row or N:M (needs calibration)",
         {sparsity::fraction_param("each row's elements (scope=row) or all elements"),
          sparsity::n_param(), sparsity::m_param(),
          ParamSpec::choice("scope", "row", {"row", "tensor"},
                            "row: each output row is its own group (the reference); tensor: one")},
         [](const Params& p) { return std::make_unique<WandaSparsifier>(p); }});
}

}  // namespace interplay
