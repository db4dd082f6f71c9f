#pragma once
// Writing one tensor together with where it came from (the pipeline, the
// interplay version, the input), so a compressed tensor file is
// self-describing like a results file:
//   .h5         string attributes on the dataset (read with h5py's `.attrs`)
//   .safetensors  one __metadata__ entry "interplay.provenance.NAME" holding
//               the attributes as a JSON object (metadata is per file)
//   .npy        the format has no place for it; the tensor is written alone
// Atomic like write_tensor: a failure leaves any existing file as it was.
#include <map>
#include <string>

#include "io/tensor_file.hpp"

namespace interplay::io {

using Provenance = std::map<std::string, std::string>;

void write_tensor(const TensorSpec& spec, const Tensor& t, const Provenance& provenance);

}  // namespace interplay::io
