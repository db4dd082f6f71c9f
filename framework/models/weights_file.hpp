#pragma once
// Trained weights as HDF5 (layout documented in data/README.md):
//   /                      attributes: format = "interplay-model", format_version = 1,
//                          architecture, training, layers, input (JSON strings),
//                          interplay_version, interplay_commit
//   /<layer path>/<param>  float32 datasets with the parameter's natural shape,
//                          e.g. /fc1/weight [512, 784], /block0/attn/qkv/bias [192].
#include <memory>
#include <string>

#include "core/params.hpp"
#include "models/model.hpp"

namespace interplay {

// Writes atomically (temporary file + rename). `training` is stored as the
// "training" attribute (settings and results).
void save_model(Model& model, const std::string& path, const json& training);

struct LoadedModel {
  std::unique_ptr<Model> model;
  json training;  // the "training" attribute
};

// Rebuilds the model from the "architecture" attribute and loads every
// parameter; a missing dataset or a shape mismatch is an Error naming the file
// and dataset.
LoadedModel load_model(const std::string& path);

}  // namespace interplay
