#pragma once
// A checkpoint: one .safetensors file, or a sharded one named by its
// Hugging Face index (`model.safetensors.index.json`:
// {"metadata": {...}, "weight_map": {"NAME": "model-00001-of-00002.safetensors", ...}}),
// whose shards are resolved relative to the index's directory. Either way the
// tensors are seen as one name -> (shard, entry) map.
#include <map>
#include <string>
#include <vector>

#include "io/safetensors.hpp"

namespace interplay::io {

class Checkpoint {
 public:
  struct Ref {
    const SafetensorsFile* file;
    const SafetensorsEntry* entry;
  };

  // `path` ends in .safetensors or .safetensors.index.json (any case).
  static Checkpoint open(const std::string& path);
  // Refs point into the shards: moving keeps them valid, copying would not.
  Checkpoint(Checkpoint&&) = default;
  Checkpoint& operator=(Checkpoint&&) = default;
  Checkpoint(const Checkpoint&) = delete;
  Checkpoint& operator=(const Checkpoint&) = delete;

  const std::string& path() const { return path_; }
  const std::vector<SafetensorsFile>& shards() const { return shards_; }
  // Every tensor, sorted by name.
  const std::vector<Ref>& tensors() const { return tensors_; }
  const Ref* find(const std::string& name) const;
  // Float32 data of one tensor; an unknown name lists the checkpoint's tensors.
  Tensor read(const std::string& name) const;
  std::string listing() const;

 private:
  Checkpoint() = default;
  std::string path_;
  std::vector<SafetensorsFile> shards_;
  std::vector<Ref> tensors_;
};

bool is_safetensors_index_path(const std::string& path);
// A single file or an index.
bool is_checkpoint_path(const std::string& path);

}  // namespace interplay::io

namespace interplay::io {

// FILE.safetensors:NAME as a tensor spec (io/tensor_file.hpp).
// Reads NAME from a file or an index as float32.
Tensor read_checkpoint_tensor(const std::string& file, const std::string& name);
// Writing replaces or adds NAME in a single .safetensors file, keeping every
// other tensor byte for byte and the metadata; an index cannot be written.
void check_safetensors_target(const std::string& file, const std::string& name);
void write_safetensors_tensor(const std::string& file, const std::string& name, const Tensor& t,
                              const std::map<std::string, std::string>& metadata = {});

}  // namespace interplay::io
