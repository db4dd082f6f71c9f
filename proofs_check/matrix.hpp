#pragma once
// The configuration matrix every statement runs over: quantizers (every
// preset, every plugin no preset names, and variants that probe assumptions: per-block
// INT, searched / percentile clipping, asymmetric) x sparsity patterns (2:4,
// 1:4, 4:8, unstructured tensor scope, row scope) x rounding (nearest_even,
// stochastic) x layouts (nested: groups and blocks along the last axis;
// crossed: groups along axis 0; small: one group per tensor, enumerated
// exhaustively). Inside/outside labels are *not* set here: they are computed
// per statement from the predicates.
#include <string>
#include <vector>

#include "proofs_check/config.hpp"

namespace interplay::proofs {

struct NamedStep {
  std::string label;
  json step;
};

std::vector<NamedStep> matrix_quantizers();  // registry configurations + assumption probes
// The fixed sparsity patterns, plus each `requested` name that is another
// data-free sparsifier plugin or preset (at its defaults, labelled by its name).
std::vector<NamedStep> matrix_sparsifiers(const std::vector<std::string>& requested = {});

struct MatrixFilter {
  std::vector<std::string> quantizers, sparsifiers, roundings, layouts;  // empty = all
};

struct MatrixShape {
  Shape main{8, 64};  // nested and crossed cases
  bool small = true;  // add the tiny enumerated cases
};

std::vector<Case> build_matrix(const MatrixShape& shape, const MatrixFilter& filter,
                               std::uint64_t seed);

// The steps M1 evaluates on trained models: the filtered matrix quantizers
// (nearest rounding) and sparsity patterns (default 2:4 and 50 % unstructured).
std::vector<NamedStep> model_quantizers(const MatrixFilter& filter);
std::vector<NamedStep> model_sparsifiers(const MatrixFilter& filter);

// Stable 64-bit hash of a string (FNV-1a), for per-case seeds.
std::uint64_t stable_hash(const std::string& s);

}  // namespace interplay::proofs
