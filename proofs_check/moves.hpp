#pragma once
// Local changes to a tensor that tend to create the structures the statements
// are about: rounding ties (values at grid midpoints), representable values,
// swapped or equal magnitudes inside a sparsity group. Used by the local
// search and by the tie-building generator. Grid knowledge comes from the
// quantizer itself (bisection on its output), so the moves work for every
// plugin without describing its format.
#include <cstdint>
#include <vector>

#include "proofs_check/config.hpp"
#include "proofs_check/random.hpp"

namespace interplay::proofs {

// Elements of each part of a partition.
std::vector<std::vector<std::uint32_t>> members(const Partition& p);

struct MoveContext {
  const Subject& subject;
  std::vector<std::vector<std::uint32_t>> groups;  // sparsity groups
  std::vector<std::uint32_t> block_of;             // finest quantization block of each element
  std::vector<std::vector<std::uint32_t>> blocks;

  MoveContext(const Subject& s, const Shape& shape);
};

// Magnitudes [lo, hi] (with x_i's sign) that leave q(x)_i unchanged when only
// x_i moves, capped by the largest other magnitude in x_i's block so the
// block's scale stays put. hi is the grid midpoint (or the float below it).
struct Cell {
  float lo = 0, hi = 0;
};
Cell rounding_cell(const MoveContext& ctx, const Tensor& x, std::size_t i);

// One random move, in place. Returns false when the drawn move did not apply.
bool random_move(const MoveContext& ctx, Tensor& x, Draw& draw);

// The tie builder: in `groups` random sparsity groups, put the smallest kept
// and the largest pruned element into one rounding cell, the smaller magnitude
// at the lower index (the tie rule then keeps it and prunes the larger).
void build_ties(const MoveContext& ctx, Tensor& x, Draw& draw, std::size_t groups);

}  // namespace interplay::proofs
