// The shipped experiments: a reduced run of each (the config's "reduce"
// section: small tensors, one seed) must reproduce the reference tables in
// tests/experiment/reference/ exactly, and have the same structure (titles,
// headers, row labels, bits per element, legends) as the committed full
// tables in results/. Regenerate a reference after an intended change with
//   interplay run experiments/X.json --reduce -o /tmp/X.h5 --force
//   interplay table /tmp/X.h5 -o tests/experiment/reference/X.reduced.md
#include <catch2/catch.hpp>
#include <cstdlib>
#include <sstream>

#include "helpers.hpp"

using namespace interplay::exptest;

namespace {

// The tables with their numbers blanked: titles, legends, headers and row
// keys (left-aligned columns) are kept, cells of numeric (right-aligned)
// columns become "#", and padding is dropped.
std::string skeleton(const std::string& md) {
  std::istringstream in(md);
  std::string line, out;
  std::vector<bool> is_key;  // per column, from the latest separator line
  while (std::getline(in, line)) {
    if (line.empty() || line[0] != '|') {
      out += line + "\n";
      is_key.clear();
      continue;
    }
    std::vector<std::string> cells;
    std::stringstream ss(line.substr(1));
    std::string cell;
    while (std::getline(ss, cell, '|')) {
      const auto b = cell.find_first_not_of(' '), e = cell.find_last_not_of(' ');
      cells.push_back(b == std::string::npos ? "" : cell.substr(b, e - b + 1));
    }
    // (A row whose first cell is blank, e.g. a Q row without a sparsity, is not one.)
    const bool separator =
        !cells.empty() && !cells[0].empty() && cells[0].find_first_not_of('-') == std::string::npos;
    if (separator) is_key.clear();
    std::string row = "|";
    for (std::size_t i = 0; i < cells.size(); ++i) {
      if (separator) is_key.push_back(cells[i].back() != ':');
      const bool blank = separator || (i < is_key.size() && !is_key[i]);
      row += " " + (blank ? std::string(separator ? (is_key[i] ? "key" : "num") : "#") : cells[i]) +
             " |";
    }
    out += row + "\n";
  }
  return out;
}

// `extra`: more arguments of `interplay run` (e.g. --set edits).
void check_experiment(const std::string& name, const std::vector<std::string>& extra = {},
                      ScratchDir* scratch = nullptr) {
  INFO(name);
  ScratchDir own;
  ScratchDir& dir = scratch ? *scratch : own;
  const std::string src = INTERPLAY_SOURCE_DIR;
  const std::string h5 = dir.file(name + ".h5");
  std::vector<std::string> args = {
      "run", src + "/experiments/" + name + ".json", "--reduce", "-o", h5, "-q"};
  args.insert(args.end(), extra.begin(), extra.end());
  const auto run = run_interplay(args);
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  const auto table = run_interplay({"table", h5});
  REQUIRE(table.exit_code == 0);
  const std::string reference =
      read_text(src + "/tests/experiment/reference/" + name + ".reduced.md");
  REQUIRE_FALSE(reference.empty());
  CHECK(table.out == reference);

  const std::string committed = read_text(src + "/results/" + name + ".md");
  REQUIRE_FALSE(committed.empty());
  CHECK(skeleton(table.out) == skeleton(committed));
}

}  // namespace

TEST_CASE("experiments/formats.json reproduces its tables (reduced)", "[experiment]") {
  check_experiment("formats");
}

TEST_CASE("experiments/order_tensor.json reproduces its tables (reduced)", "[experiment]") {
  check_experiment("order_tensor");
}

TEST_CASE("experiments/order_dot.json reproduces its tables (reduced)", "[experiment]") {
  check_experiment("order_dot");
}

// The configs without a reduced reference run (they need trained models) must
// still parse and expand, so a schema or option change cannot leave one broken.
TEST_CASE("every shipped experiment config expands into points (dry run)", "[experiment]") {
  const std::string dir = std::string(INTERPLAY_SOURCE_DIR) + "/experiments";
  std::size_t configs = 0;
  for (const auto& name : list_dir(dir)) {
    if (name.size() < 5 || name.substr(name.size() - 5) != ".json" || name == "schema.json")
      continue;
    INFO(name);
    const auto run = run_interplay({"run", dir + "/" + name, "--dry-run"});
    INFO(run.err);
    CHECK(run.exit_code == 0);
    CHECK(run.out.find(" points\n") != std::string::npos);
    CHECK(run.out.find("\n0 points") == std::string::npos);
    ++configs;
  }
  CHECK(configs >= 20);
}

// The language-model experiments on a tiny gpt trained in the scratch
// directory (the shipped configs use data/models/gpt.h5, ~40 min to train):
// the reference tables come from the same edits,
//   interplay run experiments/lm_order.json --reduce --set inputs[*].model=/tmp/g.h5
//     --set 'inputs[*].train=<kTinyGpt below>' -o /tmp/lm_order.h5 --force
namespace {

const char* kTinyGpt =
    R"({"model": "gpt", "images": 6000, "epochs": 2, "lr": 0.01,)"
    R"( "arch": {"context": 16, "dim": 16, "depth": 4, "heads": 2, "mlp_dim": 32}})";

// The bible text cache in the scratch directory (the child processes inherit it).
struct BibleCacheIn {
  explicit BibleCacheIn(const std::string& file) {
    ::setenv("INTERPLAY_BIBLE_TEXT", file.c_str(), 1);
  }
  ~BibleCacheIn() { ::unsetenv("INTERPLAY_BIBLE_TEXT"); }
};

void check_lm_experiment(const std::string& name) {
  ScratchDir dir;
  BibleCacheIn cache(dir.file("kjv.txt"));
  check_experiment(name,
                   {"--set", "inputs[*].model=" + dir.file("g.h5"), "--set",
                    std::string("inputs[*].train=") + kTinyGpt},
                   &dir);
}

}  // namespace

TEST_CASE("experiments/lm_order.json reproduces its tables (reduced, tiny gpt)",
          "[experiment][gpt]") {
  check_lm_experiment("lm_order");
}

TEST_CASE("experiments/lm_layerwise.json reproduces its tables (reduced, tiny gpt)",
          "[experiment][gpt]") {
  check_lm_experiment("lm_layerwise");
}
