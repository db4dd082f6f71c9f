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

// As h5::write_tensor_file, plus the attributes, in the same temporary copy.
void write_hdf5(const TensorSpec& spec, const Tensor& t, const Provenance& provenance) {
  AtomicOutput out(spec.file);
  {
    struct stat st {};
    const bool existing = ::stat(spec.file.c_str(), &st) == 0;
    if (existing) {
      std::error_code ec;
      std::filesystem::copy_file(spec.file, out.temp_path(),
                                 std::filesystem::copy_options::overwrite_existing, ec);
      if (ec) throw Error(spec.file + ": cannot copy to a temporary file: " + ec.message());
    }
    h5::File f = existing ? h5::File::open(out.temp_path(), h5::Mode::ReadWrite, spec.file)
                          : h5::File::create(out.temp_path(), spec.file);
    h5::write_tensor(f, spec.dataset, t);
    const h5::Dataset d = f.dataset(spec.dataset);
    for (const auto& [k, v] : provenance) d.set_attribute(k, v);
    f.close();
  }
  out.commit();
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
