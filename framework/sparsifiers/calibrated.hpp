#pragma once
// What the calibration-aware sparsifiers (wanda, sparsegpt, obc) share: their
// target — a `fraction` of the weights, or `n` kept of every `m` along a row —
// and their contract with the pipeline: without calibration data every entry
// point fails with one line naming the plugin; with it the data is checked
// against the weight's shape before prune() runs.
#include <string>

#include "core/params.hpp"
#include "core/plugin.hpp"

namespace interplay {

class CalibratedSparsifier : public Sparsifier {
 public:
  CalibratedSparsifier(std::string name, const Params& p);

  void select(const Tensor&, std::vector<std::uint8_t>&) const override { fail(); }
  void sparsify(const Tensor&, Tensor&) const override { fail(); }
  void sparsify_calibrated(const Tensor& in, Tensor& out,
                           const CalibrationContext& ctx) const final;

 protected:
  // A 2-D weight whose calibration data (ctx.data) matches its shape.
  virtual void prune(const Tensor& in, Tensor& out, const CalibrationContext& ctx) const = 0;
  [[noreturn]] void fail() const;
  // The shared part of describe(): N:M along the rows when m > 0, otherwise
  // a fraction of `unstructured`; needs calibration.
  SparsifierDescription target(const Partitioning& unstructured) const;

  double fraction_;
  std::size_t n_, m_;  // N:M when m_ > 0

 private:
  std::string name_;
};

namespace sparsity {
ParamSpec n_param();  // "n": kept per group of m
ParamSpec m_param();  // "m": the group size; 0 = use fraction
}  // namespace sparsity

}  // namespace interplay
