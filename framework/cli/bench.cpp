// `interplay bench`: throughput of every preset and sparsifier on one large
// float32 tensor, next to a memcpy of the same tensor in the same run, with
// one thread and with all threads. Best of --repeat runs (least disturbed).
// A copy with non-temporal stores is timed too: the fastest a pass that
// reads and writes each element once can go, so a kernel's all-threads rate
// can be read against the memory limit rather than against memcpy alone.
// Both copies are timed again right before each case, and the case's ratios
// use those: on a shared host the memory bandwidth a second thread gets can
// change within a run.
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <iomanip>
#include <iostream>

#include "cli/command.hpp"
#include "core/calibration.hpp"
#include "core/pipeline.hpp"
#include "core/registry.hpp"
#include "core/rng.hpp"
#include "core/streaming.hpp"
#include "core/thread_share.hpp"
#include "experiment/progress.hpp"

namespace interplay::cli {
namespace {

using Clock = std::chrono::steady_clock;

template <class Fn>
double best_seconds(int repeat, Fn&& fn) {
  double best = 1e300;
  fn();  // warm-up: page faults, caches, lazy allocations
  for (int r = 0; r < repeat; ++r) {
    const auto t0 = Clock::now();
    fn();
    best = std::min(best, std::chrono::duration<double>(Clock::now() - t0).count());
  }
  return best;
}

// memcpy split across the team so the all-threads baseline is a fair one.
void parallel_copy(const float* src, float* dst, std::size_t n) {
#pragma omp parallel
  {
    const auto [lo, hi] = thread_share(n);
    std::memcpy(dst + lo, src + lo, (hi - lo) * sizeof(float));
  }
}

// The same with non-temporal stores (core/streaming.hpp), in pieces that
// stay in L1 between load and store.
void parallel_stream_copy(const float* src, float* dst, std::size_t n) {
#pragma omp parallel
  {
    const auto [lo, hi] = thread_share(n);
    stream_copy(dst + lo, src + lo, hi - lo);
    stream_fence();
  }
}

// The calibrated solvers on a SIZE x SIZE layer with SIZE calibration rows:
// Hessian accumulation and solve timed separately, at one thread and all
// (OpenMP and OpenBLAS both set), one run each (they take seconds).
extern "C" void openblas_set_num_threads(int) __attribute__((weak));

int bench_solvers(std::size_t size, bool as_json) {
  Tensor w({size, size}), x({size, size});
  for (std::size_t i = 0; i < w.size(); ++i) {
    w.data[i] = static_cast<float>(uniform53(2, 0, i) - 0.5);
    x.data[i] =
        static_cast<float>(uniform53(2, 1, i) - 0.5 + 0.5 * (uniform53(2, 2, i / size) - 0.5));
  }
  const std::pair<const char*, const char*> cases[] = {
      {"gptq int4 per-channel",
       R"({"quantizer":"int","bits":4,"scheme":"asymmetric","solver":"gptq"})"},
      {"sparsegpt 50%", R"({"sparsifier":"sparsegpt","fraction":0.5})"},
      {"gptq mxfp4", R"({"quantizer":"mxfp4","solver":"gptq"})"}};
  const int all = omp_get_max_threads();
  json out{{"size", size}, {"threads", all}};
  for (int t : {1, all}) {
    omp_set_num_threads(t);
    if (openblas_set_num_threads) openblas_set_num_threads(t);
    auto t0 = Clock::now();
    Tensor h = accumulate_hessian(x);
    const double hs = std::chrono::duration<double>(Clock::now() - t0).count();
    const Calibration c = Calibration::from_hessian(std::move(h));
    json row{{"threads", t}, {"hessian_s", hs}};
    for (const auto& [name, step] : cases) {
      const Pipeline p = Pipeline::from_json(json::parse(step), "bench");
      t0 = Clock::now();
      const Tensor q = p.apply(w, &c);
      row[name] = std::chrono::duration<double>(Clock::now() - t0).count();
    }
    out["runs"].push_back(row);
    if (!as_json) std::cout << row.dump() << "\n";
  }
  omp_set_num_threads(all);
  if (as_json) std::cout << out.dump(2) << "\n";
  return 0;
}

// Seconds per copy of the tensor, [0] one thread, [1] all threads.
struct Baselines {
  double memcpy[2], stream[2];
};

struct Row {
  std::string name;
  double seconds[2];  // 1 thread, all threads
  Baselines base;     // timed right before the case
};

}  // namespace

int cmd_bench(const std::vector<std::string>& args) {
  po::options_description opts("bench options");
  opts.add_options()("size", po::value<std::size_t>()->default_value(4096),
                     "tensor is SIZE x SIZE float32")("repeat", po::value<int>()->default_value(5),
                                                      "timed runs per case (best is reported)")(
      "filter", po::value<std::string>()->default_value(""),
      "only cases whose name contains this text")("json", "print JSON instead of a table")(
      "quiet,q", "no progress bar")(
      "solvers",
      "time the calibrated solvers (Hessian, GPTQ, SparseGPT) on a SIZE x SIZE layer "
      "with SIZE calibration rows instead");
  po::variables_map vm;
  if (!parse_command_line("bench",
                          "[--size N] [--repeat R] [--filter TEXT] [--json] [--quiet] [--solvers]",
                          args, opts, {}, vm))
    return 0;
  const std::size_t size = vm["size"].as<std::size_t>();
  if (vm.count("solvers")) return bench_solvers(size, vm.count("json") > 0);
  const int repeat = std::max(1, vm["repeat"].as<int>());
  const std::string filter = vm["filter"].as<std::string>();
  const int all_threads = omp_get_max_threads();

  Tensor x({size, size});
  for (std::size_t i = 0; i < x.size(); ++i)
    x.data[i] = static_cast<float>((uniform53(1, 0, i) - 0.5) * std::exp(4 * uniform53(1, 1, i)));
  Tensor y({size, size});

  // Cases: every quantizer preset and plugin default, and the common sparsifiers.
  std::vector<std::pair<std::string, json>> cases;
  for (const auto& name : quantizers().configurations())
    cases.push_back({name, json{{"quantizer", name}}});
  cases.push_back(
      {"int8 (per-channel, channel_axis 1)", json{{"quantizer", "int8"}, {"channel_axis", 1}}});
  cases.push_back({"mxfp8_e4m3 (axis 0)", json{{"quantizer", "mxfp8_e4m3"}, {"axis", 0}}});
  cases.push_back({"mxfp4 (stochastic)", json{{"quantizer", "mxfp4"}, {"rounding", "stochastic"}}});
  cases.push_back(
      {"int8 (per tensor)", json{{"quantizer", "int"}, {"bits", 8}, {"granularity", "tensor"}}});
  cases.push_back({"fp8_e4m3 (tensor scale)",
                   json{{"quantizer", "fp"}, {"format", "fp8_e4m3"}, {"scale", "tensor"}}});
  for (const auto& [s, j] : std::vector<std::pair<const char*, const char*>>{
           {"nm 2:4", R"({"sparsifier":"nm","n":2,"m":4})"},
           {"nm 1:4", R"({"sparsifier":"nm","n":1,"m":4})"},
           {"magnitude 50% (tensor)", R"({"sparsifier":"magnitude","fraction":0.5})"},
           {"magnitude 50% (row)", R"({"sparsifier":"magnitude","fraction":0.5,"scope":"row"})"},
           {"random 50%", R"({"sparsifier":"random","fraction":0.5})"}}) {
    const json step = json::parse(j);
    if (sparsifiers().contains(step["sparsifier"])) cases.push_back({s, step});
  }

  std::vector<Row> rows;
  const int threads[2] = {1, all_threads};
  const auto time_baselines = [&] {
    Baselines b;
    for (int t = 0; t < 2; ++t) {
      omp_set_num_threads(threads[t]);
      b.memcpy[t] =
          best_seconds(repeat, [&] { parallel_copy(x.data.data(), y.data.data(), x.size()); });
      b.stream[t] = best_seconds(
          repeat, [&] { parallel_stream_copy(x.data.data(), y.data.data(), x.size()); });
    }
    return b;
  };
  const Baselines first = time_baselines();
  std::size_t selected = 0, done = 0;
  for (const auto& c : cases)
    selected += filter.empty() || c.first.find(filter) != std::string::npos;
  experiment::Progress progress(selected, 0, vm.count("json") > 0 || vm.count("quiet") > 0, 10.0,
                                "interplay bench", "cases");
  for (const auto& [name, step] : cases) {
    if (!filter.empty() && name.find(filter) == std::string::npos) continue;
    const Pipeline p = Pipeline::from_json(step, "bench");
    const PipelineStep& s = p.steps().front();
    Row r{name, {0, 0}, time_baselines()};
    for (int t = 0; t < 2; ++t) {
      omp_set_num_threads(threads[t]);
      r.seconds[t] = best_seconds(repeat, [&] { s.apply(x, y); });
    }
    rows.push_back(r);
    progress.update(++done);
  }
  progress.finish(done);
  omp_set_num_threads(all_threads);

  const double n = double(x.size());
  if (vm.count("json")) {
    json out{{"elements", x.size()}, {"threads", all_threads}, {"repeat", repeat}};
    const auto rates = [n](const double(&seconds)[2]) {
      return json{{"elements_per_s_1t", n / seconds[0]}, {"elements_per_s_all", n / seconds[1]}};
    };
    out["memcpy"] = rates(first.memcpy);  // before the first case
    out["stream_copy"] = rates(first.stream);
    for (const auto& r : rows)
      out["cases"].push_back({{"name", r.name},
                              {"elements_per_s_1t", n / r.seconds[0]},
                              {"elements_per_s_all", n / r.seconds[1]},
                              {"memcpy", rates(r.base.memcpy)},
                              {"stream_copy", rates(r.base.stream)},
                              {"vs_memcpy_1t", r.base.memcpy[0] / r.seconds[0]},
                              {"vs_memcpy_all", r.base.memcpy[1] / r.seconds[1]},
                              {"vs_stream_copy_all", r.base.stream[1] / r.seconds[1]},
                              {"speedup", r.seconds[0] / r.seconds[1]}});
    std::cout << out.dump(2) << "\n";
    return 0;
  }
  std::cerr << "\n";
  std::cout << "tensor " << size << "x" << size << " float32, best of " << repeat << "; "
            << all_threads << " threads for the 'all' columns\n\n";
  std::cout << std::left << std::setw(28) << "case" << std::right << std::setw(12) << "Gelem/s 1T"
            << std::setw(11) << "vs memcpy" << std::setw(13) << "Gelem/s all" << std::setw(11)
            << "vs memcpy" << std::setw(9) << "speedup"
            << "\n";
  auto line = [&](const std::string& name, const double(&s)[2], const Baselines& b) {
    std::cout << std::left << std::setw(28) << name << std::right << std::fixed
              << std::setprecision(3) << std::setw(12) << n / s[0] / 1e9 << std::setw(10)
              << std::setprecision(0) << 100 * b.memcpy[0] / s[0] << "%" << std::setprecision(3)
              << std::setw(13) << n / s[1] / 1e9 << std::setw(10) << std::setprecision(0)
              << 100 * b.memcpy[1] / s[1] << "%" << std::setprecision(2) << std::setw(8)
              << s[0] / s[1] << "x\n";
  };
  line("memcpy (baseline)", first.memcpy, first);
  line("copy, streaming stores", first.stream, first);
  for (const auto& r : rows) line(r.name, r.seconds, r.base);
  std::cout << "\n(each case against the copies timed right before it)\n";
  return 0;
}

}  // namespace interplay::cli
