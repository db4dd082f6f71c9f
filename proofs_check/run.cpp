#include "proofs_check/run.hpp"

#include <algorithm>
#include <chrono>
#include <iostream>
#include <mutex>

#include "core/registry.hpp"
#include "core/work_pool.hpp"
#include "experiment/progress.hpp"

namespace interplay::proofs {

bool RunReport::passed() const {
  for (const auto& s : statements)
    if (!verdict_passes(s.verdict)) return false;
  return true;
}

RunReport run_checks(const RunOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  std::vector<const Statement*> selected, tensor_level;
  if (options.statements.empty())
    for (const auto& s : all_statements()) selected.push_back(&s);
  else
    for (const auto& id : options.statements) selected.push_back(&statement(id));
  for (const Statement* s : selected)
    if (!s->model_level) tensor_level.push_back(s);
  // Tensor-level statements run over the case matrix; without any, no cases.
  const std::vector<Case> cases = tensor_level.empty()
                                      ? std::vector<Case>{}
                                      : build_matrix(options.shape, options.filter, options.seed);
  // Fill the registries before the parallel loop.
  quantizers();
  sparsifiers();

  std::vector<std::vector<ConfigResult>> per_case(cases.size());
  std::mutex lock;
  std::size_t finished = 0;  // under `lock`
  experiment::Progress bar(cases.size(), 0, !options.bar || cases.empty(), 10.0, "interplay prove",
                           "cases");
  const int threads = std::max(1, options.threads);
  run_jobs(cases.size(), threads, [&](std::size_t i) {
    CaseChecker checker(cases[i], tensor_level, options.weights);
    per_case[i] = checker.run(options.budget);
    std::lock_guard<std::mutex> g(lock);
    if (options.progress) std::cerr << "  checked " << cases[i].id() << "\n";
    bar.update(++finished);
  });
  if (!cases.empty()) bar.finish(finished);

  RunReport report;
  report.options = options;
  report.cases = cases.size();
  report.threads = threads;
  const bool models = !options.model.models.empty() &&
                      std::any_of(selected.begin(), selected.end(),
                                  [](const Statement* s) { return s->model_level; });
  if (models)
    report.model = run_model_check(options.model, model_quantizers(options.filter),
                                   model_sparsifiers(options.filter));
  for (const Statement* s : selected) {
    if (s->model_level) {
      report.statements.push_back(models ? summarize_model(*s, report.model->pairs.size(),
                                                           report.model->non_orthogonal(true), true)
                                         : summarize_model(*s, 0, 0, false));
      continue;
    }
    std::vector<ConfigResult> mine;
    for (auto& results : per_case)
      for (auto& r : results)
        if (r.statement == s->id) mine.push_back(std::move(r));
    report.statements.push_back(summarize(*s, std::move(mine)));
  }
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return report;
}

}  // namespace interplay::proofs
