#include "experiment/point_rows.hpp"

#include "experiment/derived.hpp"
#include "experiment/sweep.hpp"

namespace interplay::experiment {
namespace {

std::string text_of(const json& v) {
  return v.is_string() ? v.get<std::string>() : v.dump();
}

}  // namespace

ResultTable build_points_table(const ExperimentConfig& cfg, const std::vector<Point>& points,
                               const std::vector<ColumnDef>& columns,
                               const std::map<std::string, std::vector<double>>& values_by_id) {
  ResultTable t;
  for (const auto& c : columns) t.add_column(c.name, c.text);
  std::vector<const Point*> done;
  for (const auto& p : points)
    if (values_by_id.count(p.id)) done.push_back(&p);
  t.set_rows(done.size());
  const auto& metric_cols = cfg.value_columns;
  const std::size_t B = cfg.replicate_count;
  for (const auto& name : cfg.replicate_columns) t.add_replicates(*t.find(name), B);
  for (std::size_t r = 0; r < done.size(); ++r) {
    const Point& p = *done[r];
    const InputInstance& in = cfg.inputs[p.input];
    t.find("id")->strings[r] = p.id;
    t.find("input")->strings[r] = in.name;
    if (in.seed) t.find("seed")->numbers[r] = double(*in.seed);
    t.find("activation")->strings[r] = activation_label(p, cfg);
    t.find("sparsity")->strings[r] = p.sparsity;
    t.find("format")->strings[r] = p.format;
    t.find("order")->strings[r] = p.order;
    t.find("pipeline")->strings[r] = p.pipeline->to_json().dump();
    t.find("bits_per_element")->numbers[r] = p.bits_per_element;
    for (const auto& [k, v] : p.swept.items()) {
      Column* c = t.find(k);
      if (c->text)
        c->strings[r] = text_of(v);
      else if (v.is_number())
        c->numbers[r] = v.get<double>();
    }
    const std::vector<double>& values = values_by_id.at(p.id);
    for (std::size_t m = 0; m < metric_cols.size(); ++m)
      t.find(metric_cols[m])->numbers[r] = values[m];
    for (std::size_t c = 0; c < cfg.replicate_columns.size(); ++c) {
      const auto from = values.begin() + std::ptrdiff_t(metric_cols.size() + c * B);
      std::copy(from, from + std::ptrdiff_t(B),
                t.find(cfg.replicate_columns[c])->replicates.begin() + std::ptrdiff_t(r * B));
    }
  }
  compute_derived(t, cfg.derived);
  return t;
}

}  // namespace interplay::experiment
