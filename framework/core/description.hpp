#pragma once
// What a configured plugin *is*, structurally, declared once by the plugin
// itself (Quantizer::describe, Sparsifier::describe) for its resolved
// parameters. Everything that used to switch on plugin names derives from it:
// the theory checks' partitions and assumptions (proofs_check/facts.cpp),
// `list-plugins` (text and --json), the Python list_plugins() and the
// registry-driven tests. A new plugin describes itself and is understood
// everywhere without another edit.
#include <cstddef>
#include <string>
#include <vector>

#include "core/params.hpp"
#include "formats/rounding.hpp"

namespace interplay {

// A partition of a tensor's elements, relative to its shape (axes may be
// negative, counted from the last).
struct Partitioning {
  enum class Kind {
    Element,       // every element alone
    Tensor,        // the whole tensor is one part
    Channel,       // one part per index along `axis`, spanning every other axis
    Blocks,        // runs of `size` consecutive elements along `axis` inside each lane
                   // (the last run may be shorter); size 0 = the whole lane
    ColumnBlocks,  // runs of `size` indices along `axis`, spanning every other axis
  };
  Kind kind = Kind::Tensor;
  int axis = -1;
  std::size_t size = 0;

  static Partitioning element() { return {Kind::Element, -1, 0}; }
  static Partitioning tensor() { return {Kind::Tensor, -1, 0}; }
  static Partitioning channel(int axis) { return {Kind::Channel, axis, 0}; }
  static Partitioning blocks(int axis, std::size_t size) { return {Kind::Blocks, axis, size}; }
  static Partitioning column_blocks(int axis, std::size_t size) {
    return {Kind::ColumnBlocks, axis, size};
  }

  json to_json() const;
  std::string text() const;  // "blocks of 32 along axis -1"
};

// How a scale is stored: it fixes which values a scale can take.
enum class ScaleEncoding {
  Float32,     // any float32 (INT scales, FP per-tensor/channel scales, NVFP4's tensor scale)
  PowerOfTwo,  // a shared exponent: E8M0 in MX, HBFP's block exponent
  E4M3,        // an FP8 E4M3 value (NVFP4's block scale)
};

// What the scale is a function of: the theory's "scale from amax" assumption
// holds for None and Amax only.
enum class ScaleStatistic {
  None,        // unscaled: the element format alone
  Amax,        // the part's largest magnitude only
  MinMax,      // min and max separately (an asymmetric range with a zero point)
  Searched,    // a search over clipping factors (GPTQ's MSE grid)
  Percentile,  // a percentile of |x|
};

struct ScaleLevel {
  Partitioning parts;  // one scale per part
  ScaleEncoding encoding = ScaleEncoding::Float32;
};

struct QuantizerDescription {
  // Scale levels, finest first: an element's scale depends on its part in
  // every level (NVFP4: E4M3 per 16-block times an FP32 tensor scale).
  // Empty for an unscaled element format.
  std::vector<ScaleLevel> scales;
  ScaleStatistic statistic = ScaleStatistic::None;
  std::string element;  // the element grid: "fp4_e2m1", "int4 symmetric", ...
  Rounding rounding = Rounding::NearestEven;
  bool solvers = true;  // codec() supports the calibration solvers (gptq, obc)

  json to_json() const;
  std::string text() const;  // one line for list-plugins
};

// How a sparsifier ranks what it prunes.
enum class SparsityScore {
  Magnitude,  // |x| of each element
  BlockNorm,  // the l1 or l2 norm of each unit
  Random,     // a seeded random subset, independent of the values
  Wanda,      // |w_ij| * ||x_j||_2 (needs calibration)
  Obs,        // the OBS saliency w^2 / [H^-1]_jj (needs calibration)
};

// What happens to the weights that are kept.
enum class SparsityUpdate {
  None,                // kept weights pass through unchanged
  Obs,                 // the OBS compensation of the remaining weights
  ObsUnlessQuantized,  // OBS, except after a quantizer step (Q->S keeps the grid)
};

struct SparsifierDescription {
  // Inside each group a fixed share is pruned: the tensor (unstructured),
  // each lane along an axis (per row), or groups of m along an axis (N:M).
  Partitioning groups = Partitioning::tensor();
  std::size_t keep = 0;  // kept per group (N:M's n); 0 = a `fraction` is pruned
  // What is pruned together: single elements, or blocks along an axis.
  Partitioning unit = Partitioning::element();
  SparsityScore score = SparsityScore::Magnitude;
  bool calibration = false;  // needs calibration data (the pipeline refuses to run it without)
  SparsityUpdate update = SparsityUpdate::None;

  json to_json() const;
  std::string text() const;  // one line for list-plugins
};

}  // namespace interplay
