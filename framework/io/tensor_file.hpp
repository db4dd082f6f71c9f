#pragma once
// One tensor in a file, named on the command line as FILE[:DATASET]:
//   weights.npy                  a .npy file holds one array; no dataset
//   model.h5:/layers/0/weight    HDF5 (.h5, .hdf5) needs the dataset path
//   model.safetensors:model.layers.0.mlp.up_proj.weight
//                                safetensors (or a sharded checkpoint's
//                                .safetensors.index.json) needs the tensor
//                                name, used verbatim (dots and slashes kept)
// The format follows the file extension (case-insensitive).
#include <string>

#include "core/tensor.hpp"

namespace interplay::io {

enum class TensorFormat { Npy, Hdf5, Safetensors };

struct TensorSpec {
  std::string file;
  std::string dataset;  // HDF5: absolute ("/a/b"); safetensors: the name; empty when not given
  TensorFormat format = TensorFormat::Npy;

  std::string str() const { return dataset.empty() ? file : file + ":" + dataset; }
};

// Splits FILE[:DATASET] at the first ':' that follows a known extension, so
// file names may contain ':' elsewhere. Errors (unknown extension, a dataset
// after .npy) name the spec. A missing HDF5 dataset is reported on use, where
// the file's datasets can be listed.
TensorSpec parse_tensor_spec(const std::string& text);

// Reads float32 / float64 data of any rank as float32.
Tensor read_tensor(const TensorSpec& spec);
Tensor read_tensor(const std::string& spec);

// Everything that could make write_tensor(spec, ...) fail, checked without
// writing: the directory is writable, an existing file may be replaced (for
// HDF5: is a valid HDF5 file whose dataset path is not a group), and a
// dataset is named where the format needs one.
void check_writable(const TensorSpec& spec);

// Writes float32 of t's shape; the file is replaced (.npy) or modified (.h5)
// atomically, so a failure leaves any existing file as it was.
void write_tensor(const TensorSpec& spec, const Tensor& t);
void write_tensor(const std::string& spec, const Tensor& t);

}  // namespace interplay::io
