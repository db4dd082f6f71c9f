// The `model` input kind (models/model_input.hpp) in a sweep: a tiny MLP is
// trained on first use, every pipeline is evaluated on the model, its
// columns sit next to the tensor metrics (NaN where they do not apply), the
// derived gap is the distance to THEORY's M1 threshold, and the results do
// not depend on the thread count.
#include <catch2/catch.hpp>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdlib>
#include <thread>

#include "experiment/result_file.hpp"
#include "helpers.hpp"
#include "io/hdf5.hpp"

using namespace interplay;
using namespace interplay::exptest;

TEST_CASE("model inputs: trained on first use, evaluated per point, thread-count free",
          "[experiment]") {
  ScratchDir dir;
  write_text(dir.file("m.json"), R"({
    "inputs": [
      {"name": "mlp", "model": "mlp.h5",
       "train": {"model": "mlp", "arch": {"hidden": [16]}, "images": 600, "epochs": 1},
       "test_images": 200, "probe_images": 32, "layers": {"include_first": true, "include_last": true}},
      {"name": "g", "distribution": "normal", "shape": [4, 64]}
    ],
    "metrics": ["l1"],
    "derived": {"orthogonality": ["accuracy_drop", "l1"]},
    "sweep": {"sparsity": [{"sparsifier": "nm", "n": 2, "m": 4, "label": "2:4"}], "formats": ["int4"]}
  })");
  const auto r1 =
      run_interplay({"run", dir.file("m.json"), "-o", dir.file("a.h5"), "--threads", "1", "-q"});
  REQUIRE(r1.exit_code == 0);
  CHECK(path_exists(dir.file("mlp.h5")));  // trained and saved next to the config
  REQUIRE(run_interplay({"run", dir.file("m.json"), "-o", dir.file("b.h5"), "--threads", "3", "-q"})
              .exit_code == 0);
  const auto a = experiment::read_results(dir.file("a.h5"));
  CHECK(table_difference(a.table, experiment::read_results(dir.file("b.h5")).table).empty());

  const auto& t = a.table;
  REQUIRE(t.rows() == 8);
  const auto& input = t.at("input").strings;
  const auto& order = t.at("order").strings;
  const auto& acc = t.at("test_accuracy").numbers;
  const auto& drop = t.at("accuracy_drop").numbers;
  const auto& l1 = t.at("l1").numbers;
  CHECK(t.find("orth_gap.accuracy_drop"));
  for (std::size_t r = 0; r < 8; ++r) {
    const bool model = input[r] == "mlp";
    CHECK(std::isnan(model ? l1[r] : acc[r]));
    CHECK_FALSE(std::isnan(model ? acc[r] : l1[r]));
    if (model) CHECK((acc[r] >= 0.0 && acc[r] <= 1.0));
  }
  REQUIRE(order[0] == "S");
  REQUIRE(order[1] == "Q");
  REQUIRE(order[2] == "S->Q");
  CHECK(t.at("orth_gap.accuracy_drop").numbers[2] == drop[2] - drop[0] - drop[1]);
}

TEST_CASE("model inputs with seeds: one model per seed, points per seed, gaps per seed",
          "[experiment]") {
  ScratchDir dir;
  write_text(dir.file("s.json"), R"({
    "inputs": [
      {"name": "mlp", "model": "m/mlp.h5", "seeds": [3, 5],
       "train": {"model": "mlp", "arch": {"hidden": [16]}, "images": 300, "epochs": 1},
       "test_images": 100, "probe_images": 16, "layers": {"include_first": true}}
    ],
    "derived": {"orthogonality": ["loss_increase"]},
    "sweep": {"sparsity": [{"sparsifier": "nm", "n": 2, "m": 4, "label": "2:4"}], "formats": ["int4"]},
    "tables": {"gap": {"where": {"order": "S->Q"}, "rows": ["format"],
                       "values": ["orth_gap.loss_increase"], "aggregate": "mean_ci",
                       "highlight": [{"when": "ci > 0", "style": "bold"}]}}
  })");
  const auto r = run_interplay({"run", dir.file("s.json"), "-o", dir.file("s.h5"), "-q"});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  // Trained per seed, each in its own file.
  CHECK(path_exists(dir.file("m/mlp.seed3.h5")));
  CHECK(path_exists(dir.file("m/mlp.seed5.h5")));
  CHECK_FALSE(path_exists(dir.file("m/mlp.h5")));
  const auto t = experiment::read_results(dir.file("s.h5")).table;
  REQUIRE(t.rows() == 8);  // 2 seeds x {S, Q, S->Q, Q->S}
  const auto& seed = t.at("seed").numbers;
  const auto& order = t.at("order").strings;
  const auto& loss = t.at("loss_increase").numbers;
  const auto& gap = t.at("orth_gap.loss_increase").numbers;
  CHECK(seed[0] == 3);
  CHECK(seed[4] == 5);
  for (std::size_t r0 : {0u, 4u}) {  // gaps pair rows of the same seed
    REQUIRE(order[r0 + 2] == "S->Q");
    CHECK(gap[r0 + 2] == loss[r0 + 2] - loss[r0] - loss[r0 + 1]);
  }
  CHECK(loss[2] != loss[6]);  // different models
  // Provenance: the BLAS build, kernel and thread counts in weights and results.
  for (const auto& file : {dir.file("m/mlp.seed3.h5"), dir.file("s.h5")}) {
    INFO(file);
    const json numerics = json::parse(io::h5::File::open(file).string_attribute("numerics"));
    CHECK(numerics.at("blas").get<std::string>().find("OpenBLAS") != std::string::npos);
    CHECK(numerics.contains("blas_core"));
    CHECK(numerics.contains("blas_threads"));
    CHECK(numerics.contains("native_build"));
  }
  const auto table = run_interplay({"table", dir.file("s.h5")});
  REQUIRE(table.exit_code == 0);
  CHECK(table.out.find(" ± ") != std::string::npos);

  // Test-set replicates: stored for the measured model columns, recomputed
  // for the derived ones on reading, with the same formulas per replicate.
  const std::size_t B = t.replicate_count();
  REQUIRE(B == 1000);
  const double* li0 = t.replicates(t.at("loss_increase"), 0);
  const double* li1 = t.replicates(t.at("loss_increase"), 1);
  const double* li2 = t.replicates(t.at("loss_increase"), 2);
  const double* g2 = t.replicates(t.at("orth_gap.loss_increase"), 2);
  REQUIRE((li0 && g2));
  double mean_rep = 0.0;
  for (std::size_t b = 0; b < B; ++b) {
    CHECK(g2[b] == li2[b] - (li0[b] + li1[b]));
    mean_rep += t.replicates(t.at("test_loss"), 2)[b] / double(B);
  }
  // Replicates are means over resampled test images: centred on the value.
  CHECK(std::abs(mean_rep - t.at("test_loss").numbers[2]) < 0.01);
  CHECK(li0[0] != li0[1]);
  {
    io::h5::File f = io::h5::File::open(dir.file("s.h5"));
    CHECK(f.exists("replicates/test_loss"));
    CHECK_FALSE(f.exists("replicates/orth_gap.loss_increase"));  // derived: recomputed
  }
  // One seed alone still has an interval: the test-set component.
  write_text(dir.file("one.json"), R"({
    "inputs": [
      {"name": "mlp", "model": "m/mlp.h5", "seeds": [3],
       "train": {"model": "mlp", "arch": {"hidden": [16]}, "images": 300, "epochs": 1},
       "test_images": 100, "probe_images": 16, "layers": {"include_first": true}}
    ],
    "derived": {"orthogonality": ["loss_increase"]},
    "sweep": {"sparsity": [{"sparsifier": "nm", "n": 2, "m": 4, "label": "2:4"}], "formats": ["int4"]},
    "tables": {"gap": {"where": {"order": "S->Q"}, "rows": ["format"],
                       "values": ["orth_gap.loss_increase"], "aggregate": "mean_ci"}}
  })");
  REQUIRE(run_interplay({"run", dir.file("one.json"), "-o", dir.file("one.h5"), "-q"}).exit_code ==
          0);
  const auto one = run_interplay({"table", dir.file("one.h5")});
  REQUIRE(one.exit_code == 0);
  CHECK(one.out.find(" ± ") != std::string::npos);
  // A missing weights file without a train block names the seed.
  write_text(dir.file("bad.json"), R"({
    "inputs": [{"name": "mlp", "model": "m/mlp.h5", "seeds": [3, 9]}],
    "sweep": {"formats": ["int4"]}})");
  const auto bad = run_interplay({"run", dir.file("bad.json"), "-o", dir.file("bad.h5")});
  CHECK(bad.exit_code != 0);
  CHECK(bad.err.find("inputs[0].seeds") != std::string::npos);
  CHECK(bad.err.find("mlp.seed9.h5") != std::string::npos);
}

TEST_CASE("model points keep their test-set replicates across a kill and --resume",
          "[experiment][faults]") {
  ScratchDir dir;
  write_text(dir.file("r.json"), R"({
    "inputs": [
      {"name": "mlp", "model": "mlp.h5",
       "train": {"model": "mlp", "arch": {"hidden": [16]}, "images": 300, "epochs": 1},
       "test_images": 100, "probe_images": 16, "layers": {"include_first": true}}
    ],
    "derived": {"orthogonality": ["loss_increase"], "order": ["test_loss"]},
    "sweep": {"sparsity": [{"sparsifier": "magnitude", "fraction": 0.5, "label": "50%"}],
              "formats": ["int4", "int8"]}
  })");
  REQUIRE(run_interplay({"run", dir.file("r.json"), "-o", dir.file("full.h5"), "-q"}).exit_code ==
          0);
  const std::string out = dir.file("cut.h5");
  const int pid = spawn_interplay({"run", dir.file("r.json"), "-o", out, "--threads", "1",
                                   "--delay-ms", "100", "--flush-seconds", "0", "-q"});
  for (int i = 0; i < 5000 && !(path_exists(out + ".journal") && count_lines(out + ".journal") > 3);
       ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  ::kill(pid, SIGKILL);
  wait_exit_code(pid);
  REQUIRE(path_exists(out + ".journal"));
  const auto resumed = run_interplay({"run", dir.file("r.json"), "-o", out, "--resume", "-q"});
  INFO(resumed.err);
  REQUIRE(resumed.exit_code == 0);
  CHECK(table_difference(experiment::read_results(dir.file("full.h5")).table,
                         experiment::read_results(out).table)
            .empty());
}

namespace {

// The bible text cache in the scratch directory (the child processes inherit it).
struct BibleCacheIn {
  explicit BibleCacheIn(const std::string& file) {
    ::setenv("INTERPLAY_BIBLE_TEXT", file.c_str(), 1);
  }
  ~BibleCacheIn() { ::unsetenv("INTERPLAY_BIBLE_TEXT"); }
};

}  // namespace

TEST_CASE("model inputs: a gpt input gives perplexity columns and lower-is-better gaps",
          "[experiment][gpt]") {
  ScratchDir dir;
  BibleCacheIn cache(dir.file("kjv.txt"));
  write_text(dir.file("g.json"), R"({
    "inputs": [{"name": "lm", "model": "gpt.h5",
                "train": {"model": "gpt", "images": 6000, "epochs": 2, "lr": 0.01,
                          "arch": {"context": 16, "dim": 16, "depth": 1, "heads": 2, "mlp_dim": 32}},
                "layers": {"include_first": true, "include_last": true, "only": ["block*"]},
                "activation_quantizer": "same", "attention_quantizer": "same",
                "test_bytes": 1500, "probe_images": 4}],
    "derived": {"orthogonality": ["loss_increase", "perplexity_increase"], "order": ["test_perplexity"]},
    "sweep": {"sparsity": [{"sparsifier": "nm", "n": 2, "m": 4, "label": "2:4"}], "formats": ["int4"],
              "pipelines": [{"label": "dense", "steps": []}]},
    "tables": {"gap": {"where": {"order": "S->Q"}, "rows": ["format"],
                       "values": ["orth_gap.perplexity_increase"], "aggregate": "mean_ci"}}
  })");
  const auto r = run_interplay({"run", dir.file("g.json"), "-o", dir.file("g.h5"), "-q"});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(path_exists(dir.file("gpt.h5")));  // trained on first use
  const auto t = experiment::read_results(dir.file("g.h5")).table;
  REQUIRE(t.rows() == 5);
  const auto& order = t.at("order").strings;
  const auto& ppl = t.at("test_perplexity").numbers;
  const auto& loss = t.at("test_loss").numbers;
  const auto& inc = t.at("perplexity_increase").numbers;
  CHECK(t.find("layer_err.block0"));
  CHECK_FALSE(t.find("test_accuracy"));
  std::size_t dense = 5, s = 5, q = 5, sq = 5, qs = 5;
  for (std::size_t i = 0; i < 5; ++i) {
    CHECK(ppl[i] == Approx(std::exp(loss[i])));
    (order[i] == "dense"  ? dense
     : order[i] == "S"    ? s
     : order[i] == "Q"    ? q
     : order[i] == "S->Q" ? sq
                          : qs) = i;
  }
  REQUIRE(std::max({dense, s, q, sq, qs}) < 5);
  CHECK(inc[dense] == 0.0);
  CHECK(inc[sq] > 0.0);  // compression costs perplexity
  CHECK(t.at("orth_gap.perplexity_increase").numbers[sq] == Approx(inc[sq] - inc[s] - inc[q]));
  CHECK(t.at("order_gap.test_perplexity").numbers[sq] == Approx(ppl[qs] - ppl[sq]));
  const auto table = run_interplay({"table", dir.file("g.h5")});
  REQUIRE(table.exit_code == 0);
  CHECK_THAT(table.out, Catch::Contains("±"));  // intervals over the test chunks
}

TEST_CASE("model inputs: options of the other model kind name the JSON path", "[experiment][gpt]") {
  ScratchDir dir;
  write_text(dir.file("a.json"), R"({
    "inputs": [{"name": "lm", "model": "gpt.h5", "train": {"model": "gpt"}, "test_images": 100}],
    "sweep": {"sparsity": [{"sparsifier": "nm", "n": 2, "m": 4, "label": "2:4"}], "formats": ["int4"]}
  })");
  const auto a = run_interplay({"run", dir.file("a.json"), "-o", dir.file("a.h5"), "-q"});
  CHECK(a.exit_code != 0);
  CHECK_THAT(a.err, Catch::Contains("inputs[0].test_images") && Catch::Contains("test_bytes"));
  write_text(dir.file("b.json"), R"({
    "inputs": [{"name": "m", "model": "mlp.h5", "train": {"model": "mlp"},
                "attention_quantizer": "same"}],
    "sweep": {"sparsity": [{"sparsifier": "nm", "n": 2, "m": 4, "label": "2:4"}], "formats": ["int4"]}
  })");
  const auto b = run_interplay({"run", dir.file("b.json"), "-o", dir.file("b.h5"), "-q"});
  CHECK(b.exit_code != 0);
  CHECK_THAT(b.err, Catch::Contains("inputs[0].attention_quantizer"));
  CHECK_FALSE(path_exists(dir.file("gpt.h5")));  // nothing trained
  CHECK_FALSE(path_exists(dir.file("mlp.h5")));
}
