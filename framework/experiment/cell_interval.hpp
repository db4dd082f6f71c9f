#pragma once
// Intervals of table cells (aggregate "mean_ci"): the rows falling in one
// cell are replicates (typically training seeds of a model input, or seeds of
// a synthetic input); the cell shows their mean and a 95 % percentile
// interval from a deterministic bootstrap over those rows (stats/bootstrap.hpp
// with one value per replicate; bootstrap seed 0, 2000 resamples). With fewer
// than two replicates there is no interval (NaN): one run is never called
// significant. This is the between-replicate (seed) interval the results file
// supports; it does not resample test examples.
#include <string>
#include <utility>
#include <vector>

#include "experiment/pivot.hpp"

namespace interplay::experiment {

// Percentile interval of the mean of `values` (NaN, NaN for < 2 values or a NaN).
std::pair<double, double> replicate_interval(const std::vector<double>& values);

// Fills p.intervals from the per-cell samples [row][data column].
void fill_intervals(Pivot& p, const std::vector<std::vector<std::vector<double>>>& samples);

// "mean ± half-width" in `format` (the half-width without a sign), or just the
// mean when the interval is NaN.
std::string interval_text(const NumberFormat& format, double mean,
                          const std::pair<double, double>& interval);

}  // namespace interplay::experiment
