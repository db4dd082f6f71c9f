#pragma once
// The built-in architectures (mlp, cnn, vit, gpt), built from a complete architecture JSON.
#include "core/params.hpp"
#include "models/sequential.hpp"

namespace interplay {

// Fills in defaults and validates; errors name `where`.<key>.
json complete_architecture(const json& given, const std::string& where);
// Appends the layers of the (complete) architecture to `root`.
void build_architecture(const json& arch, Sequential& root);

}  // namespace interplay
