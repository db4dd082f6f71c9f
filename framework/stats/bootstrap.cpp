#include "stats/bootstrap.hpp"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "core/error.hpp"
#include "core/rng.hpp"

namespace interplay::stats {

Call call(const Interval& i, double reference) {
  if (i.lo > reference) return Call::SignificantAbove;
  if (i.hi < reference) return Call::SignificantBelow;
  return Call::Inconclusive;  // the reference is inside (or on the edge of) the interval
}

const char* call_text(Call c) {
  switch (c) {
    case Call::SignificantAbove:
      return "above";
    case Call::SignificantBelow:
      return "below";
    case Call::Inconclusive:
      return "inconclusive";
  }
  return "?";
}

double percentile_sorted(const std::vector<double>& v, double q) {
  if (v.empty()) return 0.0;
  const double pos = q * double(v.size() - 1);
  const std::size_t i = std::size_t(pos);
  if (i + 1 >= v.size()) return v.back();
  return v[i] + (pos - double(i)) * (v[i + 1] - v[i]);
}

std::size_t seed_draw(std::uint64_t seed, std::size_t b, std::size_t k, std::size_t seeds) {
  return std::size_t(counter_hash(seed, 2 * std::uint64_t(b), k) % seeds);
}

std::size_t example_draw(std::uint64_t seed, std::size_t b, std::size_t j, std::size_t examples) {
  return std::size_t(counter_hash(seed, 2 * std::uint64_t(b) + 1, j) % examples);
}

Interval bootstrap_contrast(const std::vector<const Replicates*>& configs,
                            const std::vector<double>& weights, const BootstrapOptions& o) {
  if (configs.empty() || configs.size() != weights.size())
    throw Error("bootstrap: need one weight per configuration");
  const std::size_t S = configs[0]->size();
  if (S == 0) throw Error("bootstrap: no seeds");
  const std::size_t N = (*configs[0])[0].size();
  if (N == 0) throw Error("bootstrap: no examples");
  for (const Replicates* c : configs) {
    if (c->size() != S) throw Error("bootstrap: configurations differ in their number of seeds");
    for (const auto& row : *c)
      if (row.size() != N)
        throw Error("bootstrap: configurations differ in their number of examples");
  }
  // The per-(seed, example) contrast, computed once: pairing happens here.
  std::vector<double> d(S * N, 0.0);
  for (std::size_t c = 0; c < configs.size(); ++c)
    for (std::size_t s = 0; s < S; ++s)
      for (std::size_t e = 0; e < N; ++e) d[s * N + e] += weights[c] * (*configs[c])[s][e];
  Interval out;
  double total = 0.0;
  for (double x : d) total += x;
  out.mean = total / double(S * N);

  const std::size_t B = std::max<std::size_t>(o.resamples, 1);
  std::vector<double> stat(B);
  const int threads = o.threads ? int(o.threads) : omp_get_max_threads();
#pragma omp parallel num_threads(threads)
  {
    std::vector<double> seed_count(S), by_example(N);
#pragma omp for schedule(static)
    for (std::int64_t b = 0; b < std::int64_t(B); ++b) {
      // Stream 2b: the seed draws, stream 2b+1: the example draws.
      std::fill(seed_count.begin(), seed_count.end(), 0.0);
      for (std::size_t k = 0; k < S; ++k)
        seed_count[seed_draw(o.seed, std::size_t(b), k, S)] += 1.0;
      // sum over drawn seeds of d[s][e], per example (exact for any order of seeds).
      std::fill(by_example.begin(), by_example.end(), 0.0);
      for (std::size_t s = 0; s < S; ++s)
        if (seed_count[s] != 0.0)
          for (std::size_t e = 0; e < N; ++e) by_example[e] += seed_count[s] * d[s * N + e];
      double sum = 0.0;
      for (std::size_t j = 0; j < N; ++j)
        sum += by_example[example_draw(o.seed, std::size_t(b), j, N)];
      stat[std::size_t(b)] = sum / double(S * N);
    }
  }
  std::sort(stat.begin(), stat.end());
  const double alpha = 1.0 - o.level;
  out.lo = percentile_sorted(stat, alpha / 2);
  out.hi = percentile_sorted(stat, 1.0 - alpha / 2);
  return out;
}

std::vector<std::vector<double>> example_replicate_means(
    const std::vector<const std::vector<double>*>& values, const BootstrapOptions& o) {
  const std::size_t B = std::max<std::size_t>(o.resamples, 1);
  std::vector<std::vector<double>> out(values.size(), std::vector<double>(B, 0.0));
  if (values.empty()) return out;
  const std::size_t N = values[0]->size();
  if (N == 0) throw Error("bootstrap: no examples");
  for (const auto* v : values)
    if (v->size() != N) throw Error("bootstrap: value vectors differ in their number of examples");
  const int threads = o.threads ? int(o.threads) : omp_get_max_threads();
#pragma omp parallel for schedule(static) num_threads(threads)
  for (std::int64_t b = 0; b < std::int64_t(B); ++b) {
    std::vector<double> sum(values.size(), 0.0);
    for (std::size_t j = 0; j < N; ++j) {
      const std::size_t e = example_draw(o.seed, std::size_t(b), j, N);
      for (std::size_t v = 0; v < values.size(); ++v) sum[v] += (*values[v])[e];
    }
    for (std::size_t v = 0; v < values.size(); ++v) out[v][std::size_t(b)] = sum[v] / double(N);
  }
  return out;
}

Interval replicated_interval(const std::vector<double>& means,
                             const std::vector<const double*>& replicates,
                             const BootstrapOptions& o) {
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  Interval out{kNaN, kNaN, kNaN};
  const std::size_t S = means.size();
  if (S == 0 || replicates.size() != S) return out;
  double total = 0.0;
  for (double m : means) total += m;
  out.mean = total / double(S);
  const std::size_t B = std::max<std::size_t>(o.resamples, 1);
  std::vector<double> stat(B);
  for (std::size_t b = 0; b < B; ++b) {
    double sum = 0.0;
    for (std::size_t k = 0; k < S; ++k) sum += replicates[seed_draw(o.seed, b, k, S)][b];
    stat[b] = sum / double(S);
  }
  for (double x : stat)
    if (std::isnan(x)) return out;
  std::sort(stat.begin(), stat.end());
  const double alpha = 1.0 - o.level;
  out.lo = percentile_sorted(stat, alpha / 2);
  out.hi = percentile_sorted(stat, 1.0 - alpha / 2);
  return out;
}

Interval bootstrap_mean(const Replicates& values, const BootstrapOptions& options) {
  return bootstrap_contrast({&values}, {1.0}, options);
}

}  // namespace interplay::stats
