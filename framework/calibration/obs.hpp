#pragma once
// The Optimal Brain Surgeon family's column solver, shared by GPTQ (quantize
// every weight), SparseGPT (prune, optionally quantize the kept weights in the
// same pass) and GPTQ after a sparsifier (pruned weights held at zero). It
// follows IST-DASLab's gptq.py `fasterquant` and sparsegpt.py `fasterprune`:
//   dead columns (H_ii == 0): H_ii = 1, W[:, i] = 0;
//   act_order: columns sorted by H_ii descending (stable), undone at the end;
//   H_ii += dampening * mean(diag H); U = upper Cholesky of (Cholesky inverse of H);
//   lazy blocks of `block` columns: inside a block each column is rounded /
//   pruned, its error e = (w - q) / U_jj fed back to the block's later
//   columns with row j of U; the rest of W is updated once per block (GEMM).
#include <cstdint>
#include <string>
#include <vector>

#include "core/params.hpp"
#include "core/plugin.hpp"
#include "core/tensor.hpp"

namespace interplay::calib {

struct SolverOptions {
  double dampening = 0.01;  // relative to mean(diag H)
  std::size_t block = 128;  // lazy-batch columns
  bool act_order = false;
  bool static_groups = false;
};

enum class Solver { Rtn, Gptq, Obc };

// `solver`, `dampening`, `solver_block`, `act_order`, `static_groups`: the
// parameters every quantizer step takes (registry: appended to each quantizer).
std::vector<ParamSpec> solver_param_specs();
Solver solver_of(const json& params);
SolverOptions solver_options(const json& params);

enum class MaskRule {
  None,          // keep everything (GPTQ)
  Unstructured,  // SparseGPT: per lazy block, the smallest w^2 / U_jj^2 over rows x block
  NM,            // SparseGPT: per row, every m columns keep the n largest w^2 / U_jj^2
};

struct Problem {
  MaskRule rule = MaskRule::None;
  double fraction = 0.0;
  // false: exactly floor(rows * block_cols * fraction) pruned per block (ties
  // prune the higher flat index); true: the reference's count, every weight
  // whose score is <= the sorted score at position int(numel * fraction).
  bool reference_count = false;
  std::size_t n = 0, m = 0;  // N:M: n kept of every m (the references' prunen is m - n)
  // 1 = held at exactly zero (flat index of W, original column order): the
  // pruned weights of an earlier sparsifier step.
  const std::vector<std::uint8_t>* held_zero = nullptr;
  GroupCodec* codec = nullptr;  // rounds the kept weights when set
  bool update = true;           // false: no OBS compensation (mask / round only)
  SolverOptions options;
  std::string where;  // the step path, for errors
};

// Solves in place: w [rows x cols] becomes the compressed weight; h is the
// [cols x cols] Hessian (2/n X^T X). Errors name `p.where`.
void solve(Tensor& w, const Tensor& h, const Problem& p);

// OBQ (IST-DASLab/OBC trueobs.py `quantize`): per row, the weight whose
// rounding costs least, (w - q)^2 / [H^-1]_jj, is rounded next (a weight whose
// rounding error exceeds half a grid step, i.e. a clamped outlier, first), the
// others updated exactly and H^-1 downdated. O(in^3) per row: small layers.
// Scales are fixed from W after the dead-column fix (all groups up front).
void solve_obq(Tensor& w, const Tensor& h, GroupCodec& codec, const SolverOptions& options,
               const std::string& where);

// The inverse-Hessian factor the solver uses (exposed for tests): U upper
// triangular, row-major, H^-1 = U^T U after dead-column fix and dampening.
std::vector<float> inverse_factor(std::vector<float> h, std::size_t n, double dampening,
                                  const std::string& where);

// The OBC reference's invert(): cholesky_inverse(cholesky(H)) as a full
// symmetric matrix, retried with H + I when H is not positive definite (then
// an Error naming `where`). Shared by OBQ and the obc sparsifier.
std::vector<float> obc_inverse(const std::vector<float>& h, std::size_t n,
                               const std::string& where);

}  // namespace interplay::calib
