#pragma once
// The number format of a layer's GEMMs in training: FP32, or hybrid block
// floating point (HBFP) as in the `hbfp` quantizer (quantizers/hbfp.cpp):
// both operands are converted with blocks of `block` elements along the
// dot-product (reduction) dimension, each block sharing one exponent, and
// multiplied with FP32 accumulation (the ordinary panelled gemm on the
// converted copies, so an HBFP GEMM is exactly the FP32 GEMM of its
// HBFP-quantized operands). Everything around the GEMM stays FP32.
//
// Widths are HBFPk names: k bits of sign + magnitude, i.e. the quantizer's
// mantissa_bits = k - 1 (the presets hbfp8 / hbfp6 / hbfp4). Width 0 = FP32.
#include <array>
#include <cstdint>
#include <map>
#include <vector>

#include "core/params.hpp"
#include "core/tensor.hpp"
#include "formats/rounding.hpp"

namespace interplay {

// The three kinds of GEMM operand in training, each with its own rounding.
enum class OperandClass { Weights = 0, Activations = 1, Gradients = 2 };

// Multiply-accumulates by operand width (0 = FP32), per training epoch.
struct MacCounter {
  std::size_t epoch = 0;  // where add() counts
  std::vector<std::map<int, std::uint64_t>> per_epoch;
  void add(int width, std::uint64_t macs);
  std::map<int, std::uint64_t> total() const;
  // {"total": MACs, "by_width": {"fp32"|"hbfpK": MACs}, "fraction": {...},
  //  "per_epoch": [{"fp32"|"hbfpK": MACs}, ...]}
  json to_json() const;
};
// "fp32" for width 0, otherwise "hbfpK".
std::string width_name(int width);

struct GemmArithmetic {
  int width = 0;           // HBFPk mantissa width k (sign included); 0 = FP32
  std::size_t block = 64;  // elements per shared exponent, along the reduction dimension
  std::array<Rounding, 3> rounding{Rounding::NearestEven, Rounding::NearestEven,
                                   Rounding::NearestEven};  // by OperandClass
  // Stochastic rounding draws: GEMM call c of this layer, operand class o uses
  // stream counter_hash(seed, c, o), so draws are a function of (seed, call,
  // element index) only: thread-count free and reproducible.
  std::uint64_t seed = 0;
  std::uint64_t calls = 0;
  MacCounter* macs = nullptr;  // counts every GEMM when set (the trainer owns it)
};

// `in` converted to HBFP(width) with blocks running along `axis` of its shape.
void hbfp_convert(const Tensor& in, int axis, int width, std::size_t block, Rounding rounding,
                  std::uint64_t seed, Tensor& out);

// The same under `g` for operand class `c` of GEMM call `call` (its rounding
// and stochastic draws; see GemmArithmetic::seed).
void arithmetic_convert(const GemmArithmetic& g, std::uint64_t call, OperandClass c,
                        const Tensor& in, int axis, Tensor& out);

// x is a row-major [rows, cols] matrix; out = HBFP(width) of it with blocks
// running along `axis` (1: along each row, 0: down each column).
void hbfp_convert(const float* x, std::size_t rows, std::size_t cols, int axis, int width,
                  std::size_t block, Rounding rounding, std::uint64_t seed, Tensor& out);

// The HBFP GEMM: C = alpha op(A) op(B) + beta C (models/gemm.hpp layout) with
// A and B converted to HBFP(width) along k first (A with rounding ra / seed
// sa, B with rb / sb).
void hbfp_gemm(int width, std::size_t block, Rounding ra, std::uint64_t sa, Rounding rb,
               std::uint64_t sb, bool trans_a, bool trans_b, std::size_t m, std::size_t n,
               std::size_t k, float alpha, const float* a, const float* b, float beta, float* c);

// One GEMM of a layer under `g`: FP32 gemm at width 0, hbfp_gemm otherwise;
// A is of class `ca`, B of class `cb`; counts m*n*k MACs at g.width.
void arithmetic_gemm(GemmArithmetic& g, OperandClass ca, OperandClass cb, bool trans_a,
                     bool trans_b, std::size_t m, std::size_t n, std::size_t k, float alpha,
                     const float* a, const float* b, float beta, float* c);

}  // namespace interplay
