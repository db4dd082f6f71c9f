#include "io/tensor_provenance.hpp"

#include <sys/stat.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "io/atomic_output.hpp"
#include "io/checkpoint.hpp"
#include "io/hdf5.hpp"
#include "io/npy.hpp"

namespace interplay::io {
namespace {

// As h5::write_tensor_file, plus the attributes, in the same in-memory copy.
void write_hdf5(const TensorSpec& spec, const Tensor& t, const Provenance& provenance) {
  check_output_path(spec.file);
  struct stat st {};
  const bool existing = ::stat(spec.file.c_str(), &st) == 0;
  h5::File f = existing ? h5::File::open_in_memory(spec.file) : h5::File::create_in_memory(spec.file);
  h5::write_tensor(f, spec.dataset, t);
  {
    const h5::Dataset d = f.dataset(spec.dataset);
    for (const auto& [k, v] : provenance) d.set_attribute(k, v);
  }
  f.save_atomically(spec.file);
}

}  // namespace

void write_tensor(const TensorSpec& spec, const Tensor& t, const Provenance& provenance) {
  check_writable(spec);
  switch (spec.format) {
    case TensorFormat::Npy:
      return write_npy(spec.file, t);
    case TensorFormat::Hdf5:
      return write_hdf5(spec, t, provenance);
    case TensorFormat::Safetensors: {
      nlohmann::json j(provenance);
      return write_safetensors_tensor(spec.file, spec.dataset, t,
                                      {{"interplay.provenance." + spec.dataset, j.dump()}});
    }
  }
}

}  // namespace interplay::io
