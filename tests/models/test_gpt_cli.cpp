// `interplay train --model gpt` and `interplay ngram` end to end: the corpus
// cache, the stored split and perplexities, and the missing-package error.
#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "cli/run_cli.hpp"
#include "core/params.hpp"
#include "io/hdf5.hpp"

using namespace interplay;
using interplay::test::run_cli;
using interplay::test::ScratchDir;

namespace {

// Sets an environment variable for the scope (the child processes inherit it).
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::string& value) : name_(name) {
    const char* old = std::getenv(name);
    had_ = old != nullptr;
    if (had_) old_ = old;
    ::setenv(name, value.c_str(), 1);
  }
  ~ScopedEnv() {
    if (had_)
      ::setenv(name_, old_.c_str(), 1);
    else
      ::unsetenv(name_);
  }

 private:
  const char* name_;
  bool had_ = false;
  std::string old_;
};

}  // namespace

TEST_CASE("gpt cli: train a tiny model end to end", "[models][gpt][cli]") {
  ScratchDir dir;
  ScopedEnv cache("INTERPLAY_BIBLE_TEXT", dir.path("kjv.txt"));
  const std::string out = dir.path("g.h5");
  const auto r =
      run_cli({"train", "--model", "gpt", "--arch",
               R"({"context": 32, "dim": 16, "depth": 1, "heads": 2, "mlp_dim": 32})",
               "--train-limit", "4000", "--test-limit", "2000", "--seed", "2", "--epochs", "10",
               "--lr", "0.01", "--settings", R"({"warmup_steps": 0})", "-o", out});
  INFO(r.err);
  REQUIRE(r.status == 0);
  CHECK_THAT(r.out, Catch::Contains("gpt: test perplexity"));
  CHECK_THAT(r.err, Catch::Contains("tok/s"));
  CHECK_THAT(r.err, Catch::Contains("ETA"));
  CHECK(std::filesystem::file_size(dir.path("kjv.txt")) == 4404412);  // the cached bible output
  const auto f = io::h5::File::open(out);
  const json training = json::parse(f.string_attribute("training"));
  CHECK(training["seed"] == 2);
  CHECK(training["train_bytes"] == 4000);
  CHECK(training["test_bytes"] == 1999);
  CHECK(training["validation_bytes"] == 1999);
  CHECK(training["data_split"]["test_books"][0] == "Josh");
  // 40 steps learn at least the byte frequencies (uniform: 256; unigram of English: ~25).
  CHECK(training["test_perplexity"].get<double>() < 40.0);
  CHECK(training["test_bits_per_byte"].get<double>() ==
        Approx(training["test_loss"].get<double>() / std::log(2.0)));
  CHECK(json::parse(f.string_attribute("architecture"))["context"] == 32);
  CHECK(f.dataset("/embed/weight").shape() == Shape{256, 16});
  CHECK(f.dataset("/head/weight").shape() == Shape{256, 16});

  // lm-eval: the dense numbers are the stored ones; 2:4 sparsity changes them.
  const auto e = run_cli({"lm-eval", "--model", out, "--test-limit", "2000", "--pipeline",
                          R"({"sparsifier": "nm", "n": 2, "m": 4})"});
  INFO(e.err);
  REQUIRE(e.status == 0);
  char dense[64];
  std::snprintf(dense, sizeof dense, "dense: test perplexity %.4f",
                training["test_perplexity"].get<double>());
  CHECK_THAT(e.out, Catch::StartsWith(dense));
  CHECK_THAT(e.out, Catch::Contains("compressed (weights): test perplexity"));
  const auto act = run_cli(
      {"lm-eval", "--model", out, "--test-limit", "2000", "--pipeline", "int4", "--activations"});
  CHECK_THAT(act.out, Catch::Contains("compressed (weights + activations): test perplexity"));
  const auto no_q = run_cli({"lm-eval", "--model", out, "--pipeline",
                             R"({"sparsifier": "nm", "n": 2, "m": 4})", "--activations"});
  CHECK(no_q.status != 0);
  CHECK_THAT(no_q.err, Catch::Contains("--activations: the pipeline has no quantize step"));
  const auto none = run_cli({"lm-eval", "--model", out, "--pipeline", "int8", "--layers", "x*"});
  CHECK(none.status != 0);
  CHECK_THAT(none.err, Catch::Contains("--layers: no layer of"));
}

TEST_CASE("gpt cli: a missing bible program is one line naming the package", "[models][gpt][cli]") {
  ScratchDir dir;
  ScopedEnv cache("INTERPLAY_BIBLE_TEXT", dir.path("none/kjv.txt"));
  ScopedEnv path("PATH", dir.path("empty"));  // no `bible` on it
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"train", "--model", "gpt", "-o", dir.path("g.h5")},
        std::vector<std::string>{"ngram"}}) {
    const auto r = run_cli(args);
    CHECK(r.status != 0);
    CHECK_THAT(r.err, Catch::Contains("bible: not found; install the Debian packages bible-kjv "
                                      "and bible-kjv-text"));
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  }
  CHECK(dir.entries().empty());
  const auto bad = run_cli({"ngram", "--order", "9"});
  CHECK(bad.status != 0);
  CHECK_THAT(bad.err, Catch::Contains("--order: expected 1..7, got 9"));
}
