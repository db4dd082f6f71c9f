// N:M structured sparsity: along `axis`, every group of m consecutive
// elements keeps its n largest |x| (m - n pruned per group). A ragged last
// group of r < m elements behaves as if padded with zeros: it keeps min(n, r).
//
// Tie rule: among equal |x| the LOWER index in the group is kept ([1,1,1,1]
// with 2:4 keeps elements 0 and 1); -0 and +0 are equal. NaN counts as the
// largest magnitude (above Inf), so it is kept first.
//
// Kernels: nm_kernels.hpp. sparsify() is fused (one read, one write, no mask
// pass) except for m > 32 along a strided axis, which gathers lanes.
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
    const AxisLayout L = layout(x);
    if (L.inner > 1 && m_ <= sparsity::kMaxRowsM) {
      keep.resize(x.size());
      return across_rows(x, L, sparsity::FlagSink{keep.data()});
    }
    sparsity::for_each_lane(x, keep, axis_, m_,
                            [&](const float* v, std::uint8_t* k, std::size_t len) {
                              sparsity::nm_lane(v, len, n_, m_, sparsity::FlagSink{k});
                            });
  }

  void sparsify(const Tensor& in, Tensor& out) const override {
    if (in.size() == 0) return Sparsifier::sparsify(in, out);
    const AxisLayout L = layout(in);
    if (L.inner > 1 && m_ > sparsity::kMaxRowsM) return Sparsifier::sparsify(in, out);
    if (&out != &in) out.shape = in.shape, out.data.resize(in.size());
    const float* x = in.data.data();
    float* y = out.data.data();
    if (L.inner > 1) return across_rows(in, L, sparsity::ValueSink{y});
    sparsity::for_each_lane_piece(L, m_, [&](std::size_t first, std::size_t len) {
      sparsity::nm_lane(x + first, len, n_, m_, sparsity::ValueSink{y + first});
    });
  }

  SparsifierDescription describe() const override {
    SparsifierDescription d;
    d.groups = Partitioning::blocks(axis_, m_);
    d.keep = n_;
    return d;
  }

 private:
  AxisLayout layout(const Tensor& x) const {
    return x.size() ? axis_layout(x.shape, axis_) : AxisLayout{0, 0, 1};
  }

  // Along a strided axis every group is m rows of the [len, inner] slice.
  template <class Sink>
  void across_rows(const Tensor& x, const AxisLayout& L, const Sink& sink) const {
    const std::size_t per_lane = (L.len + m_ - 1) / m_;
    const std::int64_t total = std::int64_t(L.outer * per_lane);
    const float* v = x.data.data();
#pragma omp parallel for schedule(static) if (sparsity::worth_threads(x.size()) && total > 1)
    for (std::int64_t j = 0; j < total; ++j) {
      const std::size_t o = std::size_t(j) / per_lane, k0 = (std::size_t(j) % per_lane) * m_;
      const std::size_t first = (o * L.len + k0) * L.inner;
      sparsity::nm_soa(v + first, std::min(m_, L.len - k0), L.inner, L.inner, 1, n_,
                       sink.shifted(first));
    }
  }

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
