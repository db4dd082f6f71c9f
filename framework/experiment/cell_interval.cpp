#include "experiment/cell_interval.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "stats/bootstrap.hpp"

namespace interplay::experiment {

std::pair<double, double> replicate_interval(const std::vector<double>& values) {
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  if (values.size() < 2) return {kNaN, kNaN};
  for (double v : values)
    if (std::isnan(v)) return {kNaN, kNaN};
  stats::Replicates r;
  for (double v : values) r.push_back({v});  // replicates x one "example"
  stats::BootstrapOptions o;
  o.threads = 1;  // small: not worth a thread team (the result is the same anyway)
  const stats::Interval i = stats::bootstrap_mean(r, o);
  return {i.lo, i.hi};
}

void fill_intervals(Pivot& p, const std::vector<std::vector<std::vector<double>>>& samples,
                    const std::vector<std::vector<std::vector<const double*>>>& replicates,
                    std::size_t replicate_count) {
  p.intervals.assign(samples.size(), {});
  for (std::size_t r = 0; r < samples.size(); ++r)
    for (std::size_t d = 0; d < samples[r].size(); ++d) {
      const auto& reps = replicates[r][d];
      const bool crossed =
          !reps.empty() && std::all_of(reps.begin(), reps.end(), [](auto x) { return x; });
      if (!crossed) {
        p.intervals[r].push_back(replicate_interval(samples[r][d]));
        continue;
      }
      stats::BootstrapOptions o;
      o.resamples = replicate_count;
      const stats::Interval i = stats::replicated_interval(samples[r][d], reps, o);
      p.intervals[r].push_back({i.lo, i.hi});
    }
}

std::string interval_text(const NumberFormat& format, double mean,
                          const std::pair<double, double>& interval) {
  if (std::isnan(interval.first) || std::isnan(mean)) return format.format(mean);
  NumberFormat half = format;
  half.plus = false;
  return format.format(mean) + " ± " + half.format(0.5 * (interval.second - interval.first));
}

}  // namespace interplay::experiment
