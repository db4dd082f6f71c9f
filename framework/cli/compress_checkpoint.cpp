// Whole-checkpoint compression. Every tensor of the input is written to the
// output in the input's order: a tensor whose name matches --tensors (a
// comma-separated list of globs; '*' also matches '.' and '/') and whose dtype
// is a float type goes through the pipeline and is stored in its original
// dtype when every compressed value is exactly representable there, else as
// float32 (listed in the metadata key "interplay.float32_tensors" and on
// stdout); every other tensor is copied byte for byte. The output's
// __metadata__ keeps the input's and adds the pipeline, interplay's version
// and commit, the input and the globs. Tensors are processed one at a time
// and streamed to the output, so memory holds one tensor, not the model.
#include "cli/compress_checkpoint.hpp"

#include <fnmatch.h>

#include <iostream>
#include <limits>
#include <nlohmann/json.hpp>

#include "cli/compress_report.hpp"
#include "core/error.hpp"
#include "core/version.hpp"
#include "experiment/progress.hpp"
#include "io/atomic_output.hpp"
#include "io/checkpoint.hpp"
#include "io/safetensors_dtype.hpp"
#include "io/safetensors_writer.hpp"

namespace interplay::cli {
namespace {

std::vector<std::string> split_globs(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    const auto comma = text.find(',', start);
    const std::string g = text.substr(start, comma == std::string::npos ? comma : comma - start);
    if (!g.empty()) out.push_back(g);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  if (out.empty()) throw Error("--tensors: give at least one name or glob");
  return out;
}

bool matches(const std::vector<std::string>& globs, const std::string& name) {
  for (const auto& g : globs)
    if (::fnmatch(g.c_str(), name.c_str(), 0) == 0) return true;
  return false;
}

// Storage of the tensor after the pipeline: the last quantizer's, every scale
// included (their count depends on the shape), else the original dtype's.
double pipeline_bits(const Pipeline& p, const std::string& dtype, const Shape& shape) {
  double bits = double(io::st::dtype_size(dtype) * 8);
  for (const auto& s : p.steps())
    if (s.kind == PipelineStep::Kind::Quantize) bits = s.quantizer->bits_per_element(shape);
  return bits;
}

// Input order: shard by shard, each in its data order, so an unsharded
// input's layout is reproduced exactly.
std::vector<io::Checkpoint::Ref> data_order(const io::Checkpoint& c) {
  std::vector<io::Checkpoint::Ref> out;
  for (const auto& shard : c.shards())
    for (const auto& e : shard.entries())
      if (const auto* r = c.find(e.name); r && r->entry == &e) out.push_back(*r);
  return out;
}

}  // namespace

int compress_checkpoint(const CheckpointJob& job, const Pipeline& pipeline,
                        const MetricSet& metrics) {
  // Everything that can fail is checked before anything is computed or written.
  if (!io::is_checkpoint_path(job.input))
    throw Error("--input " + job.input +
                ": --tensors needs a safetensors checkpoint (.safetensors or "
                ".safetensors.index.json) without ':NAME'");
  if (!io::is_safetensors_path(job.output))
    throw Error("--output " + job.output + ": a checkpoint is written as one .safetensors file");
  io::check_output_path(job.output);
  if (!job.report.empty()) check_report_path(job.report);
  const std::vector<std::string> globs = split_globs(job.tensors);
  const io::Checkpoint ckpt = io::Checkpoint::open(job.input);
  const auto order = data_order(ckpt);

  std::vector<io::SafetensorsWriter::Planned> plan;
  std::vector<bool> selected;
  std::size_t n_selected = 0, widen_reserve = 0;
  std::vector<std::string> skipped_non_float;
  for (const auto& r : order) {
    plan.push_back({r.entry->name, r.entry->shape});
    const bool m = matches(globs, r.entry->name);
    const bool sel = m && io::st::is_float_dtype(r.entry->dtype);
    if (m && !sel) skipped_non_float.push_back(r.entry->name + " (" + r.entry->dtype + ")");
    selected.push_back(sel);
    // The widened list is a JSON array stored as a JSON string: its quotes and
    // escapes are escaped once more in the header, hence twice the length.
    if (sel) ++n_selected, widen_reserve += 2 * nlohmann::json(r.entry->name).dump().size() + 2;
  }
  if (n_selected == 0)
    throw Error("--tensors " + job.tensors + ": no float tensor of " + job.input + " matches; " +
                ckpt.listing());

  std::map<std::string, std::string> meta = ckpt.shards()[0].metadata();
  meta["interplay.pipeline"] = pipeline.to_json().dump();
  meta["interplay.version"] = kVersion;
  meta["interplay.git_commit"] = kGitCommit;
  meta["interplay.input"] = job.input;
  meta["interplay.tensors"] = job.tensors;
  const std::string widened_key = "interplay.float32_tensors";
  io::SafetensorsWriter writer(job.output, plan,
                               io::metadata_size(meta) + widened_key.size() + 8 + widen_reserve);

  const auto& cols = metrics.columns();
  std::vector<ReportColumn> report{
      {"tensor", true}, {"shape", true}, {"dtype", true}, {"written_dtype", true}};
  for (const auto& c : cols) report.push_back({c, false});
  report.push_back({"bits_per_element", false});

  nlohmann::json widened = nlohmann::json::array();
  experiment::Progress progress(n_selected, 0, job.quiet, 10.0, "interplay compress", "tensors");
  std::size_t done = 0;
  for (std::size_t i = 0; i < order.size(); ++i) {
    const auto& r = order[i];
    const auto& e = *r.entry;
    if (!selected[i]) {
      writer.add(e.dtype, r.file->bytes(e), std::size_t(e.end - e.begin));
      continue;
    }
    const Tensor x = r.file->read(e);
    const Tensor y = pipeline.apply(x);
    const std::string written = writer.add_float(y, e.dtype);
    if (written != e.dtype) widened.push_back(e.name);
    const std::vector<double> values = metrics.evaluate(x, y);
    report[0].strings.push_back(e.name);
    report[1].strings.push_back(shape_string(e.shape));
    report[2].strings.push_back(e.dtype);
    report[3].strings.push_back(written);
    for (std::size_t c = 0; c < cols.size(); ++c) report[4 + c].numbers.push_back(values[c]);
    report.back().numbers.push_back(pipeline_bits(pipeline, e.dtype, e.shape));
    progress.update(++done);
  }
  progress.finish(done);
  if (!widened.empty()) meta[widened_key] = widened.dump();
  // The report first: if it fails, no output checkpoint claims a report exists.
  std::map<std::string, std::string> provenance{
      {"tool", "interplay compress"}, {"version", kVersion},
      {"git_commit", kGitCommit},     {"pipeline", pipeline.to_json().dump()},
      {"input", job.input},           {"output", job.output},
      {"tensors", job.tensors}};
  if (!job.report.empty()) write_report(job.report, report, provenance);
  writer.finish(meta);

  std::cout << job.input << " -> " << job.output << ": " << n_selected << " of " << order.size()
            << " tensors compressed with " << pipeline.label() << ", " << order.size() - n_selected
            << " copied unchanged\n";
  if (!widened.empty())
    std::cout << "note: " << widened.size()
              << " compressed tensors are not exactly representable in their original dtype "
                 "and were written as F32: "
              << widened.dump() << "\n";
  if (!skipped_non_float.empty()) {
    std::cout << "note: matched but not float, copied unchanged:";
    for (const auto& s : skipped_non_float) std::cout << " " << s;
    std::cout << "\n";
  }
  if (!job.report.empty()) std::cout << "report: " << job.report << "\n";
  return 0;
}

}  // namespace interplay::cli
