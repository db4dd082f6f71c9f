// N:M structured sparsity: along `axis`, every group of m consecutive
// elements keeps its n largest |x| (m - n pruned per group). A ragged last
// group of r < m elements behaves as if padded with zeros: it keeps min(n, r).
//
// Tie rule: among equal |x| the LOWER index in the group is kept ([1,1,1,1]
// with 2:4 keeps elements 0 and 1); -0 and +0 are equal. NaN counts as the
// largest magnitude (above Inf), so it is kept first.
//
// Kernels: nm_kernels.hpp. Along a contiguous axis sparsify() is fused (one
// read, one write, no mask); other axes go through select()'s mask.
#include <cstdint>

#include "core/registry.hpp"
#include "sparsifiers/lanes.hpp"
#include "sparsifiers/nm_kernels.hpp"

namespace interplay {
namespace {

class NmSparsifier final : public Sparsifier {
 public:
  explicit NmSparsifier(const Params& p)
      : n_(std::size_t(p.integer("n"))),
        m_(std::size_t(p.integer("m"))),
        axis_(int(p.integer("axis"))) {
    if (n_ > m_)
      throw Error("n: value " + std::to_string(n_) + " exceeds m = " + std::to_string(m_) +
                  " (N:M keeps n of every m elements, so n <= m)");
  }

  void select(const Tensor& x, std::vector<std::uint8_t>& keep) const override {
    sparsity::for_each_lane(x, keep, axis_, m_,
                            [&](const float* v, std::uint8_t* k, std::size_t len) {
                              sparsity::nm_lane(v, len, n_, m_, sparsity::FlagSink{k});
                            });
  }

  void sparsify(const Tensor& in, Tensor& out) const override {
    if (in.size() == 0) return Sparsifier::sparsify(in, out);
    const AxisLayout L = axis_layout(in.shape, axis_);
    if (L.inner != 1) return Sparsifier::sparsify(in, out);
    if (&out != &in) out.shape = in.shape, out.data.resize(in.size());
    const float* x = in.data.data();
    float* y = out.data.data();
    sparsity::for_each_lane_piece(L, m_, [&](std::size_t first, std::size_t len) {
      sparsity::nm_lane(x + first, len, n_, m_, sparsity::ValueSink{y + first});
    });
  }

 private:
  std::size_t n_, m_;
  int axis_;
};

}  // namespace

void register_nm_sparsifier(Registry<Sparsifier>& r) {
  r.add({"nm",
         "N:M structured: keep the n largest |x| of every m consecutive elements along axis",
         {ParamSpec::integer("n", 2, 0, 1 << 16, "elements kept per group (n <= m)"),
          ParamSpec::integer("m", 4, 1, 1 << 16, "group size along axis"), axis_param("groups")},
         [](const Params& p) { return std::make_unique<NmSparsifier>(p); }});
}

}  // namespace interplay
