#pragma once
// Calibration data for the calibration-aware methods (GPTQ, OBC, SparseGPT,
// Wanda). They minimise the layer-wise reconstruction error ||X (W - Q)^T||^2
// of a 2-D weight W [out x in] over the layer inputs X [n x in] (rows are
// samples), through the Hessian H = 2/n X^T X [in x in]. Either X or H is
// given; H is accumulated from X on first use.
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/tensor.hpp"

namespace interplay {

// H = 2/n X^T X in float32, accumulated as the references' add_batch does
// (GPTQ / SparseGPT): per batch of `batch` rows, H *= n/(n + b), n += b,
// X_b *= sqrt(2/n), H += X_b^T X_b (one BLAS symmetric rank-k update).
Tensor accumulate_hessian(const Tensor& x, std::size_t batch = 1024);

class Calibration {
 public:
  // X [n x in]; `source` names it in errors (a file spec or "X").
  static Calibration from_inputs(Tensor x, std::string source = "calibration X");
  // H [in x in], symmetric, as accumulated (2/n X^T X).
  static Calibration from_hessian(Tensor h, std::string source = "hessian H");

  std::size_t features() const;
  bool has_inputs() const { return bool(s_->x.size()); }
  const std::string& source() const { return s_->source; }
  // Throws Error naming the source unless the data fits a weight of `weight`
  // shape (2-D, in = features()) and is finite.
  void check(const Shape& weight, const std::string& where) const;

  const Tensor& hessian() const;
  // Wanda's per-input-feature statistic (the reference's scaler_row,
  // ||X_j||^2 / n_batches), or diag(H) when only H is given: Wanda's ranking
  // |W_ij| sqrt(s_j) within a row is invariant to a common factor of s.
  const std::vector<float>& feature_scale() const;

 private:
  struct State {
    Tensor x, h;
    std::string source;
    std::vector<float> scale;
    std::once_flag h_once, scale_once;
  };
  std::shared_ptr<State> s_;
};

// What a calibrated pipeline step sees besides its input tensor.
struct CalibrationContext {
  const Calibration* data = nullptr;
  // The step's input is the output of a quantizer step (Q->S): sparsegpt's
  // default then selects its mask without the OBS update, which would move
  // the kept weights off the grid.
  bool after_quantizer = false;
  // 1 = pruned by an earlier sparsifier step (flat index). Calibrated
  // quantizer solvers hold these weights at exactly zero (S->Q).
  const std::vector<std::uint8_t>* held_zero = nullptr;
  std::string where;  // the step's path, for errors
};

}  // namespace interplay
