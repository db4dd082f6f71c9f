#pragma once
// Columns computed from other rows of the same input (and activations):
//   orth_gap.M   = E(composition) - E(S) - E(Q)   on S->Q and Q->S rows
//   orth_ratio.M = E(composition) / (E(S) + E(Q)) (> 1: errors compound)
//   order_gap.M  = E(Q->S) - E(S->Q)              on both composite rows
//   order_ratio.M = E(Q->S) / E(S->Q)             (> 1: S->Q is the better order)
//   S_only.M, Q_only.M = E(S), E(Q)                on both composite rows (the
//                        baselines shown next to the gaps)
// for each metric column M listed in "derived", and with "regime" {metric R,
// max X}: in_regime = 1 when S_only.R <= X and Q_only.R <= X, else 0 (NaN
// when a baseline is missing): outside it, sparsity or quantization alone
// already loses so much that a gap measures damage, not compounding. E(S) is the "S" row with the
// same sparsity label, E(Q) the "Q" row with the same format label. A missing
// partner (excluded or not yet run) leaves NaN. Pure function of the table,
// so `interplay table` needs nothing but the file.
#include <string>
#include <vector>

#include "experiment/result_table.hpp"

namespace interplay::experiment {

struct DerivedSpec;

std::vector<std::string> derived_columns(const DerivedSpec& spec);

// Fills the derived columns (adding them if absent) from the key columns
// input, seed, activation, sparsity, format, order.
void compute_derived(ResultTable& table, const DerivedSpec& spec);

}  // namespace interplay::experiment
