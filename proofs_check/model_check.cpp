#include "proofs_check/model_check.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>

#include "core/pipeline.hpp"
#include "core/work_pool.hpp"
#include "models/model_study.hpp"
#include "models/weights_file.hpp"
#include "proofs_check/tolerance.hpp"

namespace interplay::proofs {
namespace {

// Every pipeline a model needs, evaluated once each (S and Q are shared by
// many pairs), in parallel: ModelStudy works on a private copy. Per-example
// results, so that the gaps can be bootstrapped in pairs.
std::map<std::string, ExampleResults> evaluate_all(const ModelStudy& study,
                                                   const std::vector<json>& pipelines,
                                                   int threads) {
  std::vector<ExampleResults> results(pipelines.size());
  run_jobs(pipelines.size(), threads, [&](std::size_t i) {
    results[i] = study.evaluate_examples(Pipeline::from_json(pipelines[i]));
  });
  std::map<std::string, ExampleResults> out;
  for (std::size_t i = 0; i < pipelines.size(); ++i) out[pipelines[i].dump()] = results[i];
  return out;
}

json steps(std::initializer_list<json> list) {
  return json{{"steps", json(list)}};
}

}  // namespace

double M1Pair::loss_tolerance() const {
  return summation_tolerance(4, loss0 + loss_s + loss_q + std::max(loss_sq, loss_qs));
}
double M1Pair::acc_tolerance() const {
  return summation_tolerance(4, acc0 + acc_s + acc_q + std::max(acc_sq, acc_qs));
}

std::size_t ModelCheckReport::count_loss(bool s_first, stats::Call c) const {
  return std::size_t(std::count_if(pairs.begin(), pairs.end(),
                                   [&](const M1Pair& p) { return p.loss_call(s_first) == c; }));
}

std::size_t ModelCheckReport::count_order(stats::Call c) const {
  return std::size_t(std::count_if(pairs.begin(), pairs.end(),
                                   [&](const M1Pair& p) { return p.order_call() == c; }));
}

std::size_t ModelCheckReport::non_orthogonal(bool s_first) const {
  return count_loss(s_first, stats::Call::SignificantAbove);
}

std::size_t ModelCheckReport::s_first_better() const {
  return count_order(stats::Call::SignificantAbove);
}

ModelCheckReport run_model_check(const ModelCheckOptions& options,
                                 const std::vector<NamedStep>& quantizers,
                                 const std::vector<NamedStep>& sparsifiers) {
  const auto start = std::chrono::steady_clock::now();
  ModelCheckReport report;
  const Dataset test = load_fashion_mnist("test", options.test_images);
  report.test_images = test.size();
  report.resamples = options.resamples;
  stats::BootstrapOptions boot;
  boot.resamples = options.resamples;
  boot.seed = options.bootstrap_seed;
  boot.threads = unsigned(std::max(1, options.threads));
  ModelStudyOptions study_options;
  // Every weight matrix, first and last layers included: the model-level
  // effect of compressing the whole network.
  study_options.layers.include_first = study_options.layers.include_last = true;
  std::vector<json> pipelines;
  for (const auto& s : sparsifiers) pipelines.push_back(steps({s.step}));
  for (const auto& q : quantizers) {
    pipelines.push_back(steps({q.step}));
    for (const auto& s : sparsifiers) {
      pipelines.push_back(steps({s.step, q.step}));
      pipelines.push_back(steps({q.step, s.step}));
    }
  }
  pipelines.push_back(steps({}));  // the reference, per example
  // Per model, every pipeline's per-example results (kept only until used).
  std::vector<std::map<std::string, ExampleResults>> results;
  for (const std::string& path : options.models) {
    const LoadedModel loaded = load_model(path);
    const ModelStudy study(*loaded.model, study_options, test);
    results.push_back(evaluate_all(study, pipelines, options.threads));
  }
  // Groups of models whose pairs are pooled: all of them as training seeds of
  // one model (--model-seeds), or each model alone (one "seed").
  std::vector<std::vector<std::size_t>> groups;
  if (options.pool_seeds) {
    groups.emplace_back();
    for (std::size_t m = 0; m < options.models.size(); ++m) groups.back().push_back(m);
  } else {
    for (std::size_t m = 0; m < options.models.size(); ++m) groups.push_back({m});
  }
  for (const auto& group : groups) {
    // Rows = the group's models (seeds), columns = the test images.
    const auto rows = [&](const json& pipeline, bool loss) {
      stats::Replicates r;
      for (std::size_t m : group) {
        const ExampleResults& e = results[m].at(pipeline.dump());
        r.push_back(loss ? e.loss : e.correct);
      }
      return r;
    };
    const auto mean = [](const stats::Replicates& r) {
      double sum = 0.0;
      for (const auto& row : r) {
        double s = 0.0;
        for (double v : row) s += v;
        sum += row.empty() ? 0.0 : s / double(row.size());
      }
      return sum / double(r.size());
    };
    std::string name = options.models[group[0]];
    if (group.size() > 1) name = std::to_string(group.size()) + " seeds: " + name + ", ...";
    for (const auto& q : quantizers)
      for (const auto& s : sparsifiers) {
        M1Pair p;
        p.model = name;
        p.quantizer = q.label;
        p.sparsifier = s.label;
        const json js = steps({s.step}), jq = steps({q.step}), jsq = steps({s.step, q.step}),
                   jqs = steps({q.step, s.step}), j0 = steps({});
        const stats::Replicates l0 = rows(j0, true), ls = rows(js, true), lq = rows(jq, true),
                                lsq = rows(jsq, true), lqs = rows(jqs, true), a0 = rows(j0, false),
                                as = rows(js, false), aq = rows(jq, false), asq = rows(jsq, false),
                                aqs = rows(jqs, false);
        p.loss0 = mean(l0), p.loss_s = mean(ls), p.loss_q = mean(lq);
        p.loss_sq = mean(lsq), p.loss_qs = mean(lqs);
        p.acc0 = mean(a0), p.acc_s = mean(as), p.acc_q = mean(aq);
        p.acc_sq = mean(asq), p.acc_qs = mean(aqs);
        // Paired over seeds x images (stats/bootstrap.hpp):
        // loss gap = l(S,Q) - l(S) - l(Q) + l0; accuracy gap = a(S) + a(Q) - a0 - a(S,Q).
        p.loss_gap_ci[0] = stats::bootstrap_contrast({&lsq, &ls, &lq, &l0}, {1, -1, -1, 1}, boot);
        p.loss_gap_ci[1] = stats::bootstrap_contrast({&lqs, &ls, &lq, &l0}, {1, -1, -1, 1}, boot);
        p.acc_gap_ci[0] = stats::bootstrap_contrast({&as, &aq, &a0, &asq}, {1, 1, -1, -1}, boot);
        p.acc_gap_ci[1] = stats::bootstrap_contrast({&as, &aq, &a0, &aqs}, {1, 1, -1, -1}, boot);
        p.order_gap_ci = stats::bootstrap_contrast({&lqs, &lsq}, {1, -1}, boot);
        report.pairs.push_back(p);
      }
  }
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return report;
}

}  // namespace interplay::proofs
