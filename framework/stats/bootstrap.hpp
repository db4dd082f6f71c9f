#pragma once
// Paired, seeded, deterministic bootstrap for model-level numbers.
//
// Data: for each compared configuration, one value per (training seed, test
// example): the example's loss, or 1/0 for correct/incorrect. Every
// configuration is evaluated on the same seeds and the same test images, so a
// gap between configurations is a per-(seed, example) contrast
//   d[s][e] = sum_c w_c * v_c[s][e]      (e.g. S->Q - S - Q + dense)
// and its estimate is the mean of d over seeds and examples.
//
// Resampling scheme (crossed, paired): one bootstrap replicate draws
//   - S seed indices with replacement from the S seeds, and
//   - N example indices with replacement from the N test examples, the SAME
//     example multiset for every drawn seed and every configuration,
// and computes the mean of d over the drawn (seed, example) pairs. The test
// set is shared by all seeds (crossed design, not nested), so its sampling
// noise does not average out over seeds: resampling examples independently
// per seed would understate it. Using the same indices for all
// configurations makes gaps paired (the common per-example difficulty cancels).
// The 95 % interval is the percentile interval (2.5 % and 97.5 % quantiles of
// the replicates, linear interpolation). Note: with few seeds (5) the
// percentile interval of the seed component is somewhat too narrow (it uses
// the plug-in variance, factor (S-1)/S, and no t correction).
//
// Determinism: replicate b draws only from counter_hash(seed, b, .), replicates
// are computed into their own slots and sorted, so the interval is identical
// for any thread count and any machine with IEEE doubles.
#include <cstdint>
#include <vector>

namespace interplay::stats {

// values[s][e]: one configuration's per-example values for seed s. Every seed
// has the same number of examples.
using Replicates = std::vector<std::vector<double>>;

struct Interval {
  double mean = 0, lo = 0, hi = 0;  // point estimate and percentile bounds
  double half_width() const { return 0.5 * (hi - lo); }
};

// Three-valued call on an interval against a reference value (default 0).
enum class Call { SignificantAbove, SignificantBelow, Inconclusive };
Call call(const Interval& i, double reference = 0.0);
const char* call_text(Call c);  // "above", "below", "inconclusive"

struct BootstrapOptions {
  std::size_t resamples = 2000;
  std::uint64_t seed = 0;
  double level = 0.95;
  unsigned threads = 0;  // 0: OpenMP default; the result does not depend on it
};

// The interval of sum_c weights[c] * mean(configs[c]). Every configuration must
// have the same seeds x examples shape (throws interplay::Error otherwise).
Interval bootstrap_contrast(const std::vector<const Replicates*>& configs,
                            const std::vector<double>& weights, const BootstrapOptions& options);

// The interval of one configuration's mean.
Interval bootstrap_mean(const Replicates& values, const BootstrapOptions& options);

// Percentile of sorted values, linear interpolation (numpy's default).
double percentile_sorted(const std::vector<double>& sorted, double q);

// The draws of replicate b, shared by every function here so that intervals
// computed in stages (below) resample exactly as bootstrap_contrast does:
// stream 2b draws the seeds, stream 2b+1 the examples.
std::size_t seed_draw(std::uint64_t seed, std::size_t b, std::size_t k, std::size_t seeds);
std::size_t example_draw(std::uint64_t seed, std::size_t b, std::size_t j, std::size_t examples);

// Staged form of the crossed bootstrap, for results stored per point (one
// point = one configuration on one seed): example_replicate_means gives, for
// each value vector (one per example) and each replicate b < resamples, the
// mean over replicate b's example multiset; replicated_interval then draws
// replicate b's seeds over `rows` (one row per seed, each with `resamples`
// stored replicate means, for the same b the same example multiset) and
// averages. Contrasts of configurations are contrasts of their stored
// replicates, so the result equals bootstrap_contrast on the per-example
// values up to summation order (tests/stats/test_bootstrap.cpp).
std::vector<std::vector<double>> example_replicate_means(
    const std::vector<const std::vector<double>*>& values, const BootstrapOptions& options);
// `means[r]` is row r's point estimate, `replicates[r]` its `resamples`
// replicate means. Fewer than one row, or a NaN anywhere: NaN bounds.
Interval replicated_interval(const std::vector<double>& means,
                             const std::vector<const double*>& replicates,
                             const BootstrapOptions& options);

}  // namespace interplay::stats
