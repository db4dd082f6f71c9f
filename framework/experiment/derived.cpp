#include "experiment/derived.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <tuple>

#include "experiment/config.hpp"

namespace interplay::experiment {

std::vector<std::string> derived_columns(const DerivedSpec& spec) {
  std::vector<std::string> out;
  for (const auto& m : spec.orthogonality) {
    out.push_back("orth_gap." + m);
    out.push_back("orth_ratio." + m);
  }
  for (const auto& m : spec.order) {
    out.push_back("order_gap." + m);
    out.push_back("order_ratio." + m);
  }
  std::vector<std::string> baselines = spec.orthogonality;
  if (!spec.regime_metric.empty()) baselines.push_back(spec.regime_metric);
  for (std::size_t i = 0; i < baselines.size(); ++i) {
    const std::string& m = baselines[i];
    if (std::find(baselines.begin(), baselines.begin() + std::ptrdiff_t(i), m) !=
        baselines.begin() + std::ptrdiff_t(i))
      continue;
    out.push_back("S_only." + m);
    out.push_back("Q_only." + m);
  }
  if (!spec.regime_metric.empty()) out.push_back("in_regime");
  return out;
}

namespace {

// The base column a derived column is computed from ("orth_gap.M" -> M), or
// "" for in_regime.
std::string base_of(const std::string& derived) {
  const auto dot = derived.find('.');
  return dot == std::string::npos ? std::string() : derived.substr(dot + 1);
}

}  // namespace

void compute_derived(ResultTable& table, const DerivedSpec& spec) {
  for (const auto& name : derived_columns(spec))
    if (!table.find(name)) table.add_column(name, false);
  // A derived column of a column with test-set replicates gets replicates
  // too, computed replicate by replicate with the same formula (the
  // replicates of one row share their example multisets, so this pairs).
  const std::size_t B = table.replicate_count();
  for (const auto& name : derived_columns(spec)) {
    const Column* base = table.find(base_of(name));
    if (base && !base->replicates.empty() && table.find(name)->replicates.empty())
      table.add_replicates(*table.find(name), B);
  }
  // out[b] = f(b) over the replicates of one row, when `name` has replicates.
  auto per_replicate = [&](const std::string& name, std::size_t row, auto f) {
    Column* c = table.find(name);
    if (c->replicates.empty()) return;
    double* out = c->replicates.data() + row * B;
    for (std::size_t b = 0; b < B; ++b) out[b] = f(b);
  };
  auto reps = [&](const std::string& name, std::size_t row) {
    return table.replicates(table.at(name), row);
  };
  const std::size_t n = table.rows();
  const auto& input = table.at("input").strings;
  const auto& seed = table.at("seed").numbers;
  const auto& act = table.at("activation").strings;
  const auto& sp = table.at("sparsity").strings;
  const auto& fmt = table.at("format").strings;
  const auto& order = table.at("order").strings;

  // The identity of "the same tensor": input, seed (NaN-safe as text), activations.
  auto group = [&](std::size_t r) {
    return input[r] + '\x1f' + shortest_number(seed[r]) + '\x1f' + act[r];
  };
  std::map<std::pair<std::string, std::string>, std::size_t> s_row, q_row;
  std::map<std::tuple<std::string, std::string, std::string, std::string>, std::size_t> composite;
  for (std::size_t r = 0; r < n; ++r) {
    if (order[r] == "S") s_row[{group(r), sp[r]}] = r;
    if (order[r] == "Q") q_row[{group(r), fmt[r]}] = r;
    if (order[r] == "S->Q" || order[r] == "Q->S")
      composite[{group(r), sp[r], fmt[r], order[r]}] = r;
  }
  for (std::size_t r = 0; r < n; ++r) {
    const bool sq = order[r] == "S->Q", qs = order[r] == "Q->S";
    if (!sq && !qs) continue;
    const std::string g = group(r);
    auto si = s_row.find({g, sp[r]});
    auto qi = q_row.find({g, fmt[r]});
    if (si != s_row.end() && qi != q_row.end()) {
      for (const auto& name : derived_columns(spec)) {
        const bool s_only = name.rfind("S_only.", 0) == 0, q_only = name.rfind("Q_only.", 0) == 0;
        if (!s_only && !q_only) continue;
        const std::size_t from = s_only ? si->second : qi->second;
        table.find(name)->numbers[r] = table.at(name.substr(7)).numbers[from];
        per_replicate(name, r, [&, e = reps(name.substr(7), from)](std::size_t b) { return e[b]; });
      }
      if (!spec.regime_metric.empty()) {
        const auto& e = table.at(spec.regime_metric).numbers;
        const double s_loss = e[si->second], q_loss = e[qi->second];
        if (!std::isnan(s_loss) && !std::isnan(q_loss))
          table.find("in_regime")->numbers[r] =
              s_loss <= spec.regime_max && q_loss <= spec.regime_max ? 1.0 : 0.0;
      }
    }
    for (const auto& m : spec.orthogonality) {
      if (si == s_row.end() || qi == q_row.end()) continue;
      const auto& e = table.at(m).numbers;
      const double sum = e[si->second] + e[qi->second];
      table.find("orth_gap." + m)->numbers[r] = e[r] - sum;
      table.find("orth_ratio." + m)->numbers[r] = e[r] / sum;
      const double *x = reps(m, r), *xs = reps(m, si->second), *xq = reps(m, qi->second);
      per_replicate("orth_gap." + m, r, [&](std::size_t b) { return x[b] - (xs[b] + xq[b]); });
      per_replicate("orth_ratio." + m, r, [&](std::size_t b) { return x[b] / (xs[b] + xq[b]); });
    }
    auto other = composite.find({g, sp[r], fmt[r], sq ? "Q->S" : "S->Q"});
    for (const auto& m : spec.order) {
      if (other == composite.end()) continue;
      const auto& e = table.at(m).numbers;
      const std::size_t sq_row = sq ? r : other->second, qs_row = sq ? other->second : r;
      table.find("order_gap." + m)->numbers[r] = e[qs_row] - e[sq_row];
      table.find("order_ratio." + m)->numbers[r] = e[qs_row] / e[sq_row];
      const double *xsq = reps(m, sq_row), *xqs = reps(m, qs_row);
      per_replicate("order_gap." + m, r, [&](std::size_t b) { return xqs[b] - xsq[b]; });
      per_replicate("order_ratio." + m, r, [&](std::size_t b) { return xqs[b] / xsq[b]; });
    }
  }
}

}  // namespace interplay::experiment
