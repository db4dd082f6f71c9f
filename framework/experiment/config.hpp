#pragma once
// An experiment config (JSON) parsed and validated as a whole. Top level:
//   name, description   free text
//   output              results file, relative to the config's directory
//   inputs              tensors to compress (inputs.hpp)
//   activations         optional, for the dot / output metrics (inputs.hpp)
//   sweep               pipelines to run (sweep.hpp)
//   metrics             metric list, as for `interplay compress` (tensor inputs)
//   derived             {"orthogonality": [metric columns], "order": [...]}
//   tables              named views rendered by `interplay table` (table_spec.hpp)
//   figures             named figures drawn by `interplay plot` (figure_spec.hpp)
//   reduce              {PATH: VALUE} edits applied by --reduce (overrides.hpp)
// Every unknown key is an error with a did-you-mean; every error names its
// JSON path. Nothing here touches the output.
#include <string>
#include <vector>

#include "core/pipeline.hpp"
#include "experiment/figure_spec.hpp"
#include "experiment/inputs.hpp"
#include "experiment/sweep.hpp"
#include "experiment/table_spec.hpp"

namespace interplay::experiment {

struct DerivedSpec {
  std::vector<std::string> orthogonality, order;  // metric columns
  // "regime": {"metric": M, "max": X}: a composite point is inside the regime
  // where compounding can be measured when S alone and Q alone each lose at
  // most X in M (e.g. accuracy_drop <= 0.02); column in_regime = 1 / 0.
  std::string regime_metric;
  double regime_max = 0.0;
};

struct ExperimentConfig {
  json effective;  // after --set / --reduce; stored in the results file
  std::string file, base_dir;
  std::string name, description;
  std::string output;  // resolved, "" when the config names none
  std::vector<InputInstance> inputs;
  std::vector<ActivationSpec> activations;
  json metrics_spec;
  MetricSet metrics;  // for tensor inputs
  // Every value column a point can produce: the metric columns, then the
  // columns of each model input's study (NaN where a point has no such value).
  std::vector<std::string> value_columns;
  // Value columns that also carry test-set bootstrap replicates: with any
  // model input, the union of its inputs' replicate columns
  // (replicate_columns_of in models/model_study.hpp: classifier and gpt
  // columns) with replicate_count = kExampleReplicates each; empty otherwise. A point's
  // stored vector is its value_columns values, then replicate_count values
  // per replicate column, in this order (NaN where the point has none).
  std::vector<std::string> replicate_columns;
  std::size_t replicate_count = 0;
  std::size_t point_value_count() const {
    return value_columns.size() + replicate_columns.size() * replicate_count;
  }
  SweepSpec sweep;
  DerivedSpec derived;
  std::vector<TableSpec> tables;
  std::vector<FigureSpec> figures;
};

// The "derived" section; metric names are checked against `metric_cols`.
DerivedSpec parse_derived(const json& v, const std::string& path,
                          const std::vector<std::string>& metric_cols);

// Parses a config whose relative paths are relative to `base_dir`.
ExperimentConfig parse_config(const json& config, const std::string& file,
                              const std::string& base_dir);

// Reads FILE (malformed JSON is an error naming the line), applies `sets`
// (--set) and the reduce section (--reduce), and parses.
json read_config_json(const std::string& file);
ExperimentConfig load_config(const std::string& file, const std::vector<std::string>& sets,
                             bool reduce);

// Every column of the points table, in order: keys, swept parameters,
// metrics, derived.
std::vector<ColumnDef> result_columns(const ExperimentConfig& cfg,
                                      const std::vector<Point>& points);

// Checks the table definitions against the columns the run will produce.
void validate_tables(const ExperimentConfig& cfg, const std::vector<ColumnDef>& columns);

}  // namespace interplay::experiment
