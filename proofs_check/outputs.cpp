#include "proofs_check/outputs.hpp"

namespace interplay::proofs {
namespace {

void apply_mask(const Tensor& in, const std::vector<std::uint8_t>& keep, Tensor& out) {
  out.shape = in.shape;
  out.data.resize(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) out.data[i] = keep[i] ? in.data[i] : 0.0f;
}

}  // namespace

void evaluate(const Subject& subject, const Tensor& x, Outputs& o) {
  o.x = &x;
  subject.quantizer->quantize(x, o.q);
  subject.sparsifier->select(x, o.keep_x);
  apply_mask(x, o.keep_x, o.s);
  subject.quantizer->quantize(o.s, o.qs);
  subject.sparsifier->select(o.q, o.keep_q);
  apply_mask(o.q, o.keep_q, o.sq);
  for (const auto& p : all_phis())
    for (Composition c : {kQ, kS, kQS, kSQ})
      o.E[std::size_t(p.phi)][c] = error_sum(p.phi, o.of(c).data.data(), x.data.data(), x.size());
}

}  // namespace interplay::proofs
