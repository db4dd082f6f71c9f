#pragma once
// Intervals of table cells (aggregate "mean_ci"): the rows falling in one
// cell are replicates (typically training seeds of a model input, or seeds of
// a synthetic input); the cell shows their mean and a 95 % percentile
// interval from a deterministic bootstrap:
//  - rows with test-set replicates (model points, ResultTable::replicates):
//    the crossed, paired bootstrap over seeds and test examples
//    (stats::replicated_interval over the stored replicates; bootstrap seed
//    0, as many resamples as stored replicates). One seed still has an
//    interval (the test-set component);
//  - otherwise over the rows alone (one value per replicate; bootstrap seed
//    0, 2000 resamples); with fewer than two rows there is no interval
//    (NaN): one run is never called significant.
#include <string>
#include <utility>
#include <vector>

#include "experiment/pivot.hpp"

namespace interplay::experiment {

// Percentile interval of the mean of `values` (NaN, NaN for < 2 values or a NaN).
std::pair<double, double> replicate_interval(const std::vector<double>& values);

// Fills p.intervals from the per-cell samples [row][data column] and, where
// every sample of a cell has them, the samples' replicates (same indexing;
// null pointers where a sample has none; `replicate_count` per sample).
void fill_intervals(Pivot& p, const std::vector<std::vector<std::vector<double>>>& samples,
                    const std::vector<std::vector<std::vector<const double*>>>& replicates,
                    std::size_t replicate_count);

// "mean ± half-width" in `format` (the half-width without a sign), or just the
// mean when the interval is NaN.
std::string interval_text(const NumberFormat& format, double mean,
                          const std::pair<double, double>& interval);

}  // namespace interplay::experiment
