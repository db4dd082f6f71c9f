#include "sparsifiers/calibrated.hpp"

#include "core/calibration.hpp"
#include "core/error.hpp"

namespace interplay {

CalibratedSparsifier::CalibratedSparsifier(std::string name, const Params& p)
    : fraction_(p.real("fraction")),
      n_(std::size_t(p.integer("n"))),
      m_(std::size_t(p.integer("m"))),
      name_(std::move(name)) {
  if (m_ > 0 && n_ > m_)
    throw Error("n: value " + std::to_string(n_) + " exceeds m = " + std::to_string(m_) +
                " (N:M keeps n of every m elements, so n <= m)");
}

void CalibratedSparsifier::sparsify_calibrated(const Tensor& in, Tensor& out,
                                               const CalibrationContext& ctx) const {
  if (!ctx.data) fail();
  ctx.data->check(in.shape, ctx.where);
  prune(in, out, ctx);
}

void CalibratedSparsifier::fail() const {
  throw Error("sparsifier '" + name_ +
              "' needs calibration data (compress --calibration X or --hessian H)");
}

SparsifierDescription CalibratedSparsifier::target(const Partitioning& unstructured) const {
  SparsifierDescription d;
  d.groups = m_ > 0 ? Partitioning::blocks(-1, m_) : unstructured;
  d.keep = m_ > 0 ? n_ : 0;
  d.calibration = true;
  return d;
}

namespace sparsity {
ParamSpec n_param() {
  return ParamSpec::integer("n", 0, 0, 1 << 16, "N:M: elements kept per group (with m > 0)");
}
ParamSpec m_param() {
  return ParamSpec::integer("m", 0, 0, 1 << 16, "N:M group size along a row; 0 = use fraction");
}
}  // namespace sparsity

}  // namespace interplay
