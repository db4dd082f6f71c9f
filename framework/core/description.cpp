#include "core/description.hpp"

namespace interplay {
namespace {

// The names below are the JSON vocabulary of `list-plugins --json` (README,
// "Adding a plugin"); changing one changes that output.
const char* kind_name(Partitioning::Kind k) {
  switch (k) {
    case Partitioning::Kind::Element:
      return "element";
    case Partitioning::Kind::Tensor:
      return "tensor";
    case Partitioning::Kind::Channel:
      return "channel";
    case Partitioning::Kind::Blocks:
      return "blocks";
    case Partitioning::Kind::ColumnBlocks:
      return "column_blocks";
  }
  return "tensor";
}

const char* encoding_name(ScaleEncoding e) {
  switch (e) {
    case ScaleEncoding::Float32:
      return "fp32";
    case ScaleEncoding::PowerOfTwo:
      return "power_of_two";
    case ScaleEncoding::E4M3:
      return "e4m3";
  }
  return "fp32";
}

const char* statistic_name(ScaleStatistic s) {
  switch (s) {
    case ScaleStatistic::None:
      return "none";
    case ScaleStatistic::Amax:
      return "amax";
    case ScaleStatistic::MinMax:
      return "min_max";
    case ScaleStatistic::Searched:
      return "searched";
    case ScaleStatistic::Percentile:
      return "percentile";
  }
  return "none";
}

const char* score_name(SparsityScore s) {
  switch (s) {
    case SparsityScore::Magnitude:
      return "magnitude";
    case SparsityScore::BlockNorm:
      return "block_norm";
    case SparsityScore::Random:
      return "random";
    case SparsityScore::Wanda:
      return "wanda";
    case SparsityScore::Obs:
      return "obs";
  }
  return "magnitude";
}

const char* update_name(SparsityUpdate u) {
  switch (u) {
    case SparsityUpdate::None:
      return "none";
    case SparsityUpdate::Obs:
      return "obs";
    case SparsityUpdate::ObsUnlessQuantized:
      return "obs_unless_quantized";
  }
  return "none";
}

const std::string& rounding_name(Rounding r) {
  return rounding_names().at(std::size_t(r));
}

}  // namespace

json Partitioning::to_json() const {
  json j{{"kind", kind_name(kind)}};
  if (kind == Kind::Channel || kind == Kind::Blocks || kind == Kind::ColumnBlocks) j["axis"] = axis;
  if (kind == Kind::Blocks || kind == Kind::ColumnBlocks) j["size"] = size;
  return j;
}

std::string Partitioning::text() const {
  const std::string along = " along axis " + std::to_string(axis);
  switch (kind) {
    case Kind::Element:
      return "per element";
    case Kind::Tensor:
      return "per tensor";
    case Kind::Channel:
      return "per index of axis " + std::to_string(axis);
    case Kind::Blocks:
      return size == 0 ? "per lane" + along : "per block of " + std::to_string(size) + along;
    case Kind::ColumnBlocks:
      return "per block of " + std::to_string(size) + " indices" + along + " (all other axes)";
  }
  return "per tensor";
}

json QuantizerDescription::to_json() const {
  json levels = json::array();
  for (const auto& s : scales) {
    json l = s.parts.to_json();
    l["encoding"] = encoding_name(s.encoding);
    levels.push_back(l);
  }
  return {{"scales", levels},
          {"statistic", statistic_name(statistic)},
          {"element", element},
          {"rounding", rounding_name(rounding)},
          {"solvers", solvers}};
}

std::string QuantizerDescription::text() const {
  std::string t = "element " + element + "; ";
  if (scales.empty()) t += "unscaled";
  for (std::size_t i = 0; i < scales.size(); ++i)
    t += std::string(i ? " x " : "") + encoding_name(scales[i].encoding) + " scale " +
         scales[i].parts.text();
  if (!scales.empty()) t += std::string(" from ") + statistic_name(statistic);
  return t + "; " + rounding_name(rounding) + (solvers ? "; gptq/obc solvers" : "; rtn only");
}

json SparsifierDescription::to_json() const {
  return {{"groups", groups.to_json()}, {"keep", keep},
          {"unit", unit.to_json()},     {"score", score_name(score)},
          {"calibration", calibration}, {"update", update_name(update)}};
}

std::string SparsifierDescription::text() const {
  std::string t = keep ? "keep " + std::to_string(keep) + " " : "prune a fraction ";
  t += groups.text() + "; ";
  if (unit.kind == Partitioning::Kind::Blocks)
    t += "whole blocks of " + std::to_string(unit.size) + " along axis " +
         std::to_string(unit.axis) + "; ";
  else if (unit.kind != Partitioning::Kind::Element)
    t += "units " + unit.text() + "; ";
  t += std::string("score ") + score_name(score) + "; update " + update_name(update);
  return calibration ? t + "; needs calibration" : t;
}

}  // namespace interplay
