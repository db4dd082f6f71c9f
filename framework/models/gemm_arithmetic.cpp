#include "models/gemm_arithmetic.hpp"

#include <algorithm>

#include "core/error.hpp"
#include "core/registry.hpp"
#include "core/rng.hpp"
#include "models/gemm.hpp"

namespace interplay {

void MacCounter::add(int width, std::uint64_t macs) {
  if (per_epoch.size() <= epoch) per_epoch.resize(epoch + 1);
  per_epoch[epoch][width] += macs;
}

std::map<int, std::uint64_t> MacCounter::total() const {
  std::map<int, std::uint64_t> t;
  for (const auto& e : per_epoch)
    for (const auto& [w, n] : e) t[w] += n;
  return t;
}

std::string width_name(int width) {
  return width == 0 ? "fp32" : "hbfp" + std::to_string(width);
}

json MacCounter::to_json() const {
  const auto t = total();
  std::uint64_t all = 0;
  for (const auto& [w, n] : t) all += n;
  json by = json::object(), frac = json::object(), epochs = json::array();
  for (const auto& [w, n] : t) {
    by[width_name(w)] = n;
    frac[width_name(w)] = all ? double(n) / double(all) : 0.0;
  }
  for (const auto& e : per_epoch) {
    json row = json::object();
    for (const auto& [w, n] : e) row[width_name(w)] = n;
    epochs.push_back(row);
  }
  return {{"total", all}, {"by_width", by}, {"fraction", frac}, {"per_epoch", epochs}};
}

void hbfp_convert(const Tensor& in, int axis, int width, std::size_t block, Rounding rounding,
                  std::uint64_t seed, Tensor& out) {
  if (width < 2 || width > 24)
    throw Error("hbfp arithmetic: mantissa width " + std::to_string(width) +
                " is outside 2..24 (sign + 1..23 magnitude bits)");
  // The registered `hbfp` quantizer is the one definition of the format.
  const json step = {{"name", "hbfp"},
                     {"mantissa_bits", width - 1},
                     {"block", block},
                     {"axis", axis},
                     {"rounding", rounding_names()[std::size_t(rounding)]},
                     {"seed", seed & ((std::uint64_t(1) << 53) - 1)}};
  quantizers().build(step, "name", "hbfp arithmetic").object->quantize(in, out);
}

void hbfp_convert(const float* x, std::size_t rows, std::size_t cols, int axis, int width,
                  std::size_t block, Rounding rounding, std::uint64_t seed, Tensor& out) {
  // Reused per thread: fresh multi-megabyte buffers per GEMM cost page faults.
  thread_local Tensor in;
  in.shape = {rows, cols};
  in.data.assign(x, x + rows * cols);
  hbfp_convert(in, axis, width, block, rounding, seed, out);
}

namespace {
std::uint64_t draw_seed(const GemmArithmetic& g, std::uint64_t call, OperandClass c) {
  return counter_hash(g.seed, call, std::uint64_t(c));
}
}  // namespace

void arithmetic_convert(const GemmArithmetic& g, std::uint64_t call, OperandClass c,
                        const Tensor& in, int axis, Tensor& out) {
  hbfp_convert(in, axis, g.width, g.block, g.rounding[std::size_t(c)], draw_seed(g, call, c), out);
}

void hbfp_gemm(int width, std::size_t block, Rounding ra, std::uint64_t sa, Rounding rb,
               std::uint64_t sb, bool trans_a, bool trans_b, std::size_t m, std::size_t n,
               std::size_t k, float alpha, const float* a, const float* b, float beta, float* c) {
  if (m == 0 || n == 0 || k == 0) return gemm(trans_a, trans_b, m, n, k, alpha, a, b, beta, c);
  // The reduction dimension k is the column axis of A [m,k] and B^T [n,k],
  // the row axis of A^T [k,m] and B [k,n].
  thread_local Tensor qa, qb;
  hbfp_convert(a, trans_a ? k : m, trans_a ? m : k, trans_a ? 0 : 1, width, block, ra, sa, qa);
  hbfp_convert(b, trans_b ? n : k, trans_b ? k : n, trans_b ? 1 : 0, width, block, rb, sb, qb);
  gemm(trans_a, trans_b, m, n, k, alpha, qa.data.data(), qb.data.data(), beta, c);
}

void arithmetic_gemm(GemmArithmetic& g, OperandClass ca, OperandClass cb, bool trans_a,
                     bool trans_b, std::size_t m, std::size_t n, std::size_t k, float alpha,
                     const float* a, const float* b, float beta, float* c) {
  if (g.macs) g.macs->add(g.width, std::uint64_t(m) * n * k);
  const std::uint64_t call = g.calls++;
  if (g.width == 0) return gemm(trans_a, trans_b, m, n, k, alpha, a, b, beta, c);
  hbfp_gemm(g.width, g.block, g.rounding[std::size_t(ca)], draw_seed(g, call, ca),
            g.rounding[std::size_t(cb)], draw_seed(g, call, cb), trans_a, trans_b, m, n, k, alpha,
            a, b, beta, c);
}

}  // namespace interplay
