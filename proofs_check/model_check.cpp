#include "proofs_check/model_check.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <exception>
#include <map>
#include <mutex>
#include <thread>

#include "core/pipeline.hpp"
#include "models/model_study.hpp"
#include "models/weights_file.hpp"
#include "proofs_check/tolerance.hpp"

namespace interplay::proofs {
namespace {

// Every pipeline a model needs, evaluated once each (S and Q are shared by
// many pairs), in parallel: ModelStudy::evaluate works on a private copy.
std::map<std::string, EvalResult> evaluate_all(const ModelStudy& study,
                                               const std::vector<json>& pipelines, int threads) {
  std::vector<EvalResult> results(pipelines.size());
  std::atomic<std::size_t> next{0};
  std::exception_ptr failure;
  std::mutex lock;
  const auto worker = [&] {
    for (std::size_t i = next++; i < pipelines.size(); i = next++) {
      try {
        const std::vector<double> v = study.evaluate(Pipeline::from_json(pipelines[i]));
        results[i].accuracy = v[0];
        results[i].loss = v[1];
      } catch (...) {
        std::lock_guard<std::mutex> g(lock);
        if (!failure) failure = std::current_exception();
      }
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();
  if (failure) std::rethrow_exception(failure);
  std::map<std::string, EvalResult> out;
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

std::size_t ModelCheckReport::non_orthogonal(bool s_first) const {
  return std::size_t(std::count_if(pairs.begin(), pairs.end(), [&](const M1Pair& p) {
    return p.loss_gap(s_first) > p.loss_tolerance();
  }));
}

std::size_t ModelCheckReport::s_first_better() const {
  return std::size_t(std::count_if(pairs.begin(), pairs.end(),
                                   [](const M1Pair& p) { return p.loss_sq <= p.loss_qs; }));
}

ModelCheckReport run_model_check(const ModelCheckOptions& options,
                                 const std::vector<NamedStep>& quantizers,
                                 const std::vector<NamedStep>& sparsifiers) {
  const auto start = std::chrono::steady_clock::now();
  ModelCheckReport report;
  const Dataset test = load_fashion_mnist("test", options.test_images);
  report.test_images = test.size();
  ModelStudyOptions study_options;
  // Every weight matrix, first and last layers included: the model-level
  // effect of compressing the whole network.
  study_options.layers.include_first = study_options.layers.include_last = true;
  for (const std::string& path : options.models) {
    const LoadedModel loaded = load_model(path);
    const ModelStudy study(*loaded.model, study_options, test);
    std::vector<json> pipelines;
    for (const auto& s : sparsifiers) pipelines.push_back(steps({s.step}));
    for (const auto& q : quantizers) {
      pipelines.push_back(steps({q.step}));
      for (const auto& s : sparsifiers) {
        pipelines.push_back(steps({s.step, q.step}));
        pipelines.push_back(steps({q.step, s.step}));
      }
    }
    const auto r = evaluate_all(study, pipelines, options.threads);
    const EvalResult& dense = study.dense_result();
    for (const auto& q : quantizers)
      for (const auto& s : sparsifiers) {
        M1Pair p;
        p.model = path;
        p.quantizer = q.label;
        p.sparsifier = s.label;
        p.loss0 = dense.loss, p.acc0 = dense.accuracy;
        const auto at = [&](const json& j) { return r.at(j.dump()); };
        const EvalResult es = at(steps({s.step})), eq = at(steps({q.step})),
                         esq = at(steps({s.step, q.step})), eqs = at(steps({q.step, s.step}));
        p.loss_s = es.loss, p.loss_q = eq.loss, p.loss_sq = esq.loss, p.loss_qs = eqs.loss;
        p.acc_s = es.accuracy, p.acc_q = eq.accuracy, p.acc_sq = esq.accuracy,
        p.acc_qs = eqs.accuracy;
        report.pairs.push_back(p);
      }
  }
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return report;
}

}  // namespace interplay::proofs
