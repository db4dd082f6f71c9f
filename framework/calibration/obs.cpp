#include "calibration/obs.hpp"

#include <cblas.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "core/error.hpp"
#include "core/fixed_blas.hpp"
#include "quantizers/codec.hpp"

extern "C" {
void spotrf_(const char* uplo, const int* n, float* a, const int* lda, int* info);
void spotri_(const char* uplo, const int* n, float* a, const int* lda, int* info);
}

namespace interplay::calib {

std::vector<float> inverse_factor(std::vector<float> h, std::size_t n, double dampening,
                                  const std::string& where) {
  // torch: percdamp * torch.mean(diag(H)) is a float32 mean times a Python
  // float, evaluated in float32.
  double mean = 0;
  for (std::size_t i = 0; i < n; ++i) mean += h[i * n + i];
  const float damp = static_cast<float>(dampening) * static_cast<float>(mean / double(n));
  for (std::size_t i = 0; i < n; ++i) h[i * n + i] += damp;
  // LAPACK is column-major; a symmetric matrix reads the same either way.
  // cholesky -> cholesky_inverse -> cholesky(upper), as the references. The
  // column-major lower factor of H^-1 read row-major is its upper factor U
  // (H^-1 = U^T U), and potri leaves H^-1 exactly where the second potrf
  // reads it, so no symmetrisation is needed.
  const int N = int(n);
  int info = 0;
  // OpenBLAS's potrf/potri, like its GEMMs, give other last bits on more
  // threads (core/fixed_blas.hpp): one thread keeps U the same for any count.
  SingleThreadedBlas one_thread;
  spotrf_("L", &N, h.data(), &N, &info);
  if (info > 0)
    throw Error(at(where, "the dampened Hessian is not positive definite (leading minor " +
                              std::to_string(info) + "); increase dampening"));
  spotri_("L", &N, h.data(), &N, &info);
  if (info > 0) throw Error(at(where, "the Hessian is singular; increase dampening"));
  spotrf_("L", &N, h.data(), &N, &info);
  if (info > 0)
    throw Error(at(where, "the inverse Hessian is not positive definite in float32 (minor " +
                              std::to_string(info) + "); increase dampening"));
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < i; ++j) h[i * n + j] = 0.0f;
  return h;
}

namespace {

// Prunes the `count` smallest scores of s[0..n) (ties: the higher index is
// pruned, the lower kept, as the magnitude and nm sparsifiers).
void prune_smallest(const float* s, std::size_t n, std::size_t count, std::uint8_t* mask,
                    std::size_t stride, std::vector<std::uint32_t>& idx) {
  if (count == 0) return;
  idx.resize(n);
  std::iota(idx.begin(), idx.end(), 0u);
  auto before = [s](std::uint32_t a, std::uint32_t b) {
    return s[a] < s[b] || (s[a] == s[b] && a > b);
  };
  if (count < n)
    std::nth_element(idx.begin(), idx.begin() + std::ptrdiff_t(count), idx.end(), before);
  for (std::size_t k = 0; k < std::min(count, n); ++k) mask[std::size_t(idx[k]) * stride] = 1;
}

}  // namespace

void solve(Tensor& w, const Tensor& h, const Problem& p) {
  if (w.rank() != 2)
    throw Error(at(p.where,
                   "calibrated methods need a 2-D weight [out, in], got " + shape_string(w.shape)));
  const std::size_t R = w.shape[0], C = w.shape[1];
  if (h.shape != Shape{C, C})
    throw Error(at(p.where, "the Hessian " + shape_string(h.shape) + " does not match the weight " +
                                shape_string(w.shape) + " (needs [" + std::to_string(C) + ", " +
                                std::to_string(C) + "])"));
  for (float v : w.data)
    if (!std::isfinite(v))
      throw Error(
          at(p.where, "the weight contains NaN or Inf; calibrated solvers need finite weights"));
  if (p.rule == MaskRule::NM && (p.m == 0 || p.n > p.m))
    throw Error(at(p.where, "N:M needs 0 <= n <= m and m >= 1"));
  if (R == 0 || C == 0) return;
  const SolverOptions& o = p.options;
  std::vector<float> W = w.data, H = h.data;
  GroupCodec* codec = p.codec;
  if (codec) codec->begin(W.data(), R, C);  // the references: find_params(W) first

  // Dead inputs (never active): H_ii = 1 and the weight is zeroed.
  for (std::size_t i = 0; i < C; ++i)
    if (H[i * C + i] == 0.0f) {
      H[i * C + i] = 1.0f;
      for (std::size_t r = 0; r < R; ++r) W[r * C + i] = 0.0f;
    }

  const std::size_t G = codec ? codec->group_columns() : 0;
  const bool static_groups = G && o.static_groups;
  if (static_groups)  // from W after the dead-column fix, before any permutation
    for (std::size_t c = 0; c < C; c += G)
      codec->fit_group(c / G, W.data() + c, C, R, std::min(G, C - c), c);

  std::vector<std::size_t> perm(C);
  std::iota(perm.begin(), perm.end(), std::size_t(0));
  std::vector<std::uint8_t> held;
  if (p.held_zero) held = *p.held_zero;
  if (o.act_order) {
    if (G && !static_groups && codec->layout_bound())
      throw Error(at(p.where,
                     "act_order with a block format needs static_groups=true (the "
                     "format's blocks are fixed runs of consecutive columns)"));
    // torch.argsort(descending) is not stable; ties keep the lower index first here.
    std::stable_sort(perm.begin(), perm.end(),
                     [&](std::size_t a, std::size_t b) { return H[a * C + a] > H[b * C + b]; });
    std::vector<float> W2(W.size()), H2(H.size());
    for (std::size_t r = 0; r < R; ++r)
      for (std::size_t j = 0; j < C; ++j) W2[r * C + j] = W[r * C + perm[j]];
    for (std::size_t i = 0; i < C; ++i)
      for (std::size_t j = 0; j < C; ++j) H2[i * C + j] = H[perm[i] * C + perm[j]];
    W.swap(W2), H.swap(H2);
    if (!held.empty()) {
      std::vector<std::uint8_t> h2(held.size());
      for (std::size_t r = 0; r < R; ++r)
        for (std::size_t j = 0; j < C; ++j) h2[r * C + j] = held[r * C + perm[j]];
      held.swap(h2);
    }
  }

  const std::vector<float> U = inverse_factor(std::move(H), C, o.dampening, p.where);
  std::vector<float> Q(R * C), W1, Err1, scores;
  std::vector<std::uint8_t> mask1;
  std::vector<std::uint32_t> idx;
  const std::size_t B = std::max<std::size_t>(1, o.block);

  for (std::size_t i1 = 0; i1 < C; i1 += B) {
    const std::size_t i2 = std::min(i1 + B, C), cnt = i2 - i1;
    W1.resize(R * cnt), Err1.assign(R * cnt, 0.0f), mask1.assign(R * cnt, 0);
    for (std::size_t r = 0; r < R; ++r)
      std::copy(W.begin() + std::ptrdiff_t(r * C + i1), W.begin() + std::ptrdiff_t(r * C + i2),
                W1.begin() + std::ptrdiff_t(r * cnt));
    if (p.rule == MaskRule::Unstructured) {
      // Scores of the block as it stands when the block starts (SparseGPT).
      scores.resize(R * cnt);
      for (std::size_t r = 0; r < R; ++r)
        for (std::size_t i = 0; i < cnt; ++i) {
          const float d = U[(i1 + i) * C + i1 + i], v = W1[r * cnt + i];
          scores[r * cnt + i] = (v * v) / (d * d);
        }
      const std::size_t numel = R * cnt;
      std::size_t k = static_cast<std::size_t>(double(numel) * p.fraction);
      if (p.reference_count) {
        // thresh = sort(scores)[int(numel * sparsity)], prune scores <= thresh:
        // floor(k s) + 1 weights (more on ties).
        k = std::min(k, numel - 1);
        std::vector<float> sorted = scores;
        std::nth_element(sorted.begin(), sorted.begin() + std::ptrdiff_t(k), sorted.end());
        const float thresh = sorted[k];
        for (std::size_t e = 0; e < numel; ++e) mask1[e] = scores[e] <= thresh;
      } else {
        prune_smallest(scores.data(), numel, std::min(k, numel), mask1.data(), 1, idx);
      }
    }
    if (!held.empty())
      for (std::size_t r = 0; r < R; ++r)
        for (std::size_t i = 0; i < cnt; ++i) mask1[r * cnt + i] |= held[r * C + i1 + i];
    // Group parameters are fixed from W as it stands at the start of the lazy
    // block holding the group's first column (the reference reads W, not W1),
    // so fitting them all here is the same as fitting them on the way.
    if (G && !static_groups)
      for (std::size_t c = i1; c < i2; ++c)
        if (c % G == 0) codec->fit_group(c / G, W.data() + c, C, R, std::min(G, C - c), c);

          // Rows are independent inside a block (the mask, the group parameters and
          // U are fixed), so they run in parallel; results do not depend on threads.
#pragma omp parallel
    {
      std::vector<float> sc;
      std::vector<std::uint32_t> id;
#pragma omp for schedule(static)
      for (std::int64_t ri = 0; ri < std::int64_t(R); ++ri) {
        const std::size_t r = std::size_t(ri);
        float* w1 = W1.data() + r * cnt;
        std::uint8_t* mk = mask1.data() + r * cnt;
        float* e1 = Err1.data() + r * cnt;
        for (std::size_t i = 0; i < cnt; ++i) {
          const std::size_t col = i1 + i;
          if (p.rule == MaskRule::NM && i % p.m == 0) {
            // The block's current (already updated) values, as the reference.
            const std::size_t width = std::min(p.m, cnt - i);
            sc.resize(width);
            for (std::size_t k = 0; k < width; ++k) {
              const float d = U[(col + k) * C + col + k], v = w1[i + k];
              sc[k] = (v * v) / (d * d);
            }
            prune_smallest(sc.data(), width, width - std::min(p.n, width), mk + i, 1, id);
          }
          const float v = w1[i];
          float q = 0.0f;
          if (!mk[i]) {
            q = v;
            if (codec) {
              const std::size_t slot = G ? (static_groups ? perm[col] / G : col / G) : 0;
              q = codec->quantize(slot, r, v, std::uint64_t(r) * C + perm[col]);
            }
          }
          Q[r * C + col] = q;
          if (!p.update) continue;
          const float err = (v - q) / U[col * C + col];
          e1[i] = err;
          const float* u = U.data() + col * C + i1;
          for (std::size_t k = i + 1; k < cnt; ++k) w1[k] -= err * u[k];
        }
      }
    }
    if (p.update && i2 < C)
      fixed_sgemm(R, C - i2, cnt, -1.0f, Err1.data(), cnt, U.data() + i1 * C + i2, C, 1.0f,
                  W.data() + i2, C);
  }
  for (std::size_t r = 0; r < R; ++r)
    for (std::size_t j = 0; j < C; ++j) w.data[r * C + perm[j]] = Q[r * C + j];
}

}  // namespace interplay::calib

namespace interplay::calib {

std::vector<ParamSpec> solver_param_specs() {
  return {
      ParamSpec::choice("solver", "rtn", {"rtn", "gptq", "obc"},
                        "rtn: round to nearest (data-free); gptq: GPTQ column solver with "
                        "error feedback; obc: OBQ, greedy exact OBS per row, small layers "
                        "(gptq, obc need calibration data)"),
      ParamSpec::real("dampening", 0.01, 0.0, 1e6,
                      "solver: added to diag H, relative to mean(diag H)"),
      ParamSpec::integer("solver_block", 128, 1, 1 << 20, "solver: lazy-batch columns"),
      ParamSpec::flag("act_order", false, "solver: quantize columns in order of decreasing diag H"),
      ParamSpec::flag("static_groups", false,
                      "solver: fix every group's scales from W before solving")};
}

Solver solver_of(const json& params) {
  const auto it = params.find("solver");
  if (it == params.end()) return Solver::Rtn;
  const std::string s = it->get<std::string>();
  return s == "gptq" ? Solver::Gptq : s == "obc" ? Solver::Obc : Solver::Rtn;
}

SolverOptions solver_options(const json& params) {
  SolverOptions o;
  o.dampening = params.value("dampening", 0.01);
  o.block = std::size_t(params.value("solver_block", std::int64_t(128)));
  o.act_order = params.value("act_order", false);
  o.static_groups = params.value("static_groups", false);
  return o;
}

}  // namespace interplay::calib

namespace interplay::calib {
namespace {

// cholesky_inverse(cholesky(H)) as a full symmetric matrix; false if H is
// not positive definite.
bool full_inverse(std::vector<float>& h, std::size_t n) {
  const int N = int(n);
  int info = 0;
  // OpenBLAS's potrf/potri, like its GEMMs, give other last bits on more
  // threads (core/fixed_blas.hpp): one thread keeps U the same for any count.
  SingleThreadedBlas one_thread;
  spotrf_("L", &N, h.data(), &N, &info);
  if (info != 0) return false;
  spotri_("L", &N, h.data(), &N, &info);
  if (info != 0) return false;
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < i; ++j) h[i * n + j] = h[j * n + i];
  return true;
}

}  // namespace

// The OBC reference's invert(): retried with H + I when not positive definite.
std::vector<float> obc_inverse(const std::vector<float>& h, std::size_t n,
                               const std::string& where) {
  std::vector<float> a = h;
  if (full_inverse(a, n)) return a;
  a = h;
  for (std::size_t i = 0; i < n; ++i) a[i * n + i] += 1.0f;
  if (!full_inverse(a, n))
    throw Error(at(where, "the Hessian is not positive definite even with + I"));
  return a;
}

void solve_obq(Tensor& w, const Tensor& h, GroupCodec& codec, const SolverOptions& o,
               const std::string& where) {
  const std::size_t R = w.shape.at(0), C = w.shape.at(1);
  if (h.shape != Shape{C, C})
    throw Error(at(where, "the Hessian " + shape_string(h.shape) + " does not match the weight " +
                              shape_string(w.shape)));
  for (float v : w.data)
    if (!std::isfinite(v)) throw Error(at(where, "the weight contains NaN or Inf"));
  if (o.act_order || o.static_groups)
    throw Error(at(where,
                   "act_order and static_groups do not apply to solver obc (it chooses "
                   "its own order; groups are always fixed up front)"));
  if (R == 0 || C == 0) return;
  std::vector<float> H = h.data, W = w.data;
  // The OBC reference: relative dampening first, then dead columns.
  if (o.dampening > 0) {
    double mean = 0;
    for (std::size_t i = 0; i < C; ++i) mean += H[i * C + i];
    const float d = static_cast<float>(o.dampening) * static_cast<float>(mean / double(C));
    for (std::size_t i = 0; i < C; ++i) H[i * C + i] += d;
  }
  for (std::size_t i = 0; i < C; ++i)
    if (H[i * C + i] == 0.0f) {
      H[i * C + i] = 1.0f;
      for (std::size_t r = 0; r < R; ++r) W[r * C + i] = 0.0f;
    }
  codec.begin(W.data(), R, C);  // trueobs: find_params(W) after prepare()
  const std::size_t G = codec.group_columns();
  if (G)
    for (std::size_t c = 0; c < C; c += G)
      codec.fit_group(c / G, W.data() + c, C, R, std::min(G, C - c), c);
  const auto* planned = dynamic_cast<const PlanCodec*>(&codec);
  const std::vector<float> Hinv_all = obc_inverse(H, C, where);
  std::vector<float> Q(R * C, 0.0f);

#pragma omp parallel for schedule(dynamic)
  for (std::int64_t ri = 0; ri < std::int64_t(R); ++ri) {
    const std::size_t r = std::size_t(ri);
    float* wr = W.data() + r * C;
    std::vector<std::uint8_t> mask(C, 0);
    std::vector<float> Hinv, q(C), err(C), row(C);
    std::size_t zeros = 0;
    for (std::size_t k = 0; k < C; ++k) zeros += wr[k] == 0.0f;
    if (zeros) {  // prepare_sparse: zero weights eliminated from H up front
      std::vector<float> h1 = H;
      for (std::size_t j = 0; j < C; ++j)
        if (wr[j] == 0.0f) {
          for (std::size_t k = 0; k < C; ++k) h1[j * C + k] = h1[k * C + j] = 0.0f;
          h1[j * C + j] = 1.0f;
          mask[j] = 1;
        }
      Hinv = obc_inverse(h1, C, where);
    } else {
      Hinv = Hinv_all;
    }
    for (std::size_t step = zeros; step < C; ++step) {
      std::size_t j = C, worst = C;
      float best = std::numeric_limits<float>::infinity(), worst_err = -1.0f;
      bool outlier = false;
      for (std::size_t k = 0; k < C; ++k) {
        if (mask[k]) continue;
        const std::size_t slot = G ? k / G : 0;
        q[k] = codec.quantize(slot, r, wr[k], std::uint64_t(r) * C + k);
        const float e = (wr[k] - q[k]) * (wr[k] - q[k]);
        err[k] = e;
        const float s = e / Hinv[k * C + k];
        if (j == C || s < best) best = s, j = k;
        if (e > worst_err) worst_err = e, worst = k;
        if (planned) {
          const float half = 0.5f * grid_quantum(planned->plan_at(slot, r), q[k]);
          outlier = outlier || e > half * half;
        }
      }
      // trueobs: quantize a clamped outlier first (unless the best is a zero).
      if (outlier && wr[j] != 0.0f) j = worst;
      const float d = Hinv[j * C + j], f = (wr[j] - q[j]) / d;
      Q[r * C + j] = q[j];
      for (std::size_t k = 0; k < C; ++k) row[k] = Hinv[j * C + k];
      for (std::size_t k = 0; k < C; ++k) wr[k] -= row[k] * f;
      mask[j] = 1;
      if (step + 1 == C) break;
      const float sd = std::sqrt(d);
      for (std::size_t k = 0; k < C; ++k) row[k] /= sd;
      for (std::size_t a = 0; a < C; ++a)
        for (std::size_t b = 0; b < C; ++b) Hinv[a * C + b] -= row[a] * row[b];
    }
  }
  w.data = std::move(Q);
}

}  // namespace interplay::calib
