#include "io/tensor_file.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cctype>

#include "core/error.hpp"
#include "io/atomic_output.hpp"
#include "io/checkpoint.hpp"
#include "io/hdf5.hpp"
#include "io/npy.hpp"

namespace interplay::io {
namespace {

struct Extension {
  const char* suffix;
  TensorFormat format;
};
constexpr Extension kExtensions[] = {{".npy", TensorFormat::Npy},
                                     {".h5", TensorFormat::Hdf5},
                                     {".hdf5", TensorFormat::Hdf5},
                                     {".safetensors", TensorFormat::Safetensors},
                                     {".safetensors.index.json", TensorFormat::Safetensors}};
constexpr const char* kKnown = ".npy, .h5, .hdf5, .safetensors, .safetensors.index.json";

bool ends_with_nocase(const std::string& s, const std::string& suffix) {
  if (s.size() < suffix.size()) return false;
  return std::equal(suffix.begin(), suffix.end(), s.end() - suffix.size(), [](char a, char b) {
    return std::tolower(static_cast<unsigned char>(a)) ==
           std::tolower(static_cast<unsigned char>(b));
  });
}

const Extension* extension_of(const std::string& file) {
  for (const auto& e : kExtensions)
    if (file.size() > std::char_traits<char>::length(e.suffix) && ends_with_nocase(file, e.suffix))
      return &e;
  return nullptr;
}

// "datasets in the file: /a [3] float32, /b [2,2] float64" (at most 12 listed).
std::string dataset_listing(const h5::File& f) {
  const auto all = f.list_datasets();
  if (all.empty()) return "the file has no datasets";
  std::string s = "datasets in the file: ";
  const std::size_t shown = std::min<std::size_t>(all.size(), 12);
  for (std::size_t i = 0; i < shown; ++i) s += (i ? ", " : "") + h5::describe(all[i]);
  if (shown < all.size()) s += ", ... (" + std::to_string(all.size() - shown) + " more)";
  return s;
}

bool file_exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

Tensor read_hdf5(const TensorSpec& spec) {
  const h5::File f = h5::File::open(spec.file);
  if (spec.dataset.empty())
    throw Error(spec.file + ": name the dataset to read as " + spec.file + ":DATASET; " +
                dataset_listing(f));
  switch (f.type(spec.dataset)) {
    case h5::ObjectType::Dataset:
      return h5::read_tensor(f, spec.dataset);
    case h5::ObjectType::None:
      throw Error(spec.str() + ": no such dataset; " + dataset_listing(f));
    default:
      throw Error(spec.str() + ": is not a dataset; " + dataset_listing(f));
  }
}

// The dataset path must be creatable: every parent a group (or missing), the
// path itself a dataset (replaced) or missing.
void check_hdf5_target(const TensorSpec& spec) {
  if (spec.dataset.empty() || spec.dataset == "/")
    throw Error(spec.file + ": name the dataset to write as " + spec.file + ":DATASET");
  if (!file_exists(spec.file)) return;
  const h5::File f = h5::File::open(spec.file);
  std::string prefix;
  for (std::size_t pos = 1; pos <= spec.dataset.size(); ++pos) {
    if (pos != spec.dataset.size() && spec.dataset[pos] != '/') continue;
    prefix = spec.dataset.substr(0, pos);
    const h5::ObjectType t = f.type(prefix);
    if (t == h5::ObjectType::None) return;
    const bool last = pos == spec.dataset.size();
    if (!last && t != h5::ObjectType::Group)
      throw Error(spec.str() + ": cannot write: " + prefix + " is not a group");
    if (last && t != h5::ObjectType::Dataset)
      throw Error(spec.str() + ": cannot write: it exists and is not a dataset");
  }
}

}  // namespace

TensorSpec parse_tensor_spec(const std::string& text) {
  if (text.empty()) throw Error("empty file name");
  TensorSpec spec;
  const Extension* ext = nullptr;
  for (std::size_t pos = text.find(':'); pos != std::string::npos; pos = text.find(':', pos + 1))
    if ((ext = extension_of(text.substr(0, pos)))) {
      spec.file = text.substr(0, pos);
      spec.dataset = text.substr(pos + 1);
      break;
    }
  if (!ext) {
    spec.file = text;
    ext = extension_of(text);
  }
  if (!ext) {
    const auto slash = text.find_last_of('/'), dot = text.find_last_of('.');
    const bool has_ext = dot != std::string::npos && (slash == std::string::npos || dot > slash);
    throw Error(text + ": unknown file type " +
                (has_ext ? "'" + text.substr(dot) + "'" : std::string("(no extension)")) +
                " (known: " + kKnown + ")");
  }
  spec.format = ext->format;
  if (spec.format == TensorFormat::Hdf5 && !spec.dataset.empty() && spec.dataset[0] != '/')
    spec.dataset = "/" + spec.dataset;
  if (spec.format == TensorFormat::Npy && !spec.dataset.empty())
    throw Error(text + ": a .npy file holds one array; drop ':" + spec.dataset.substr(1) + "'");
  return spec;
}

Tensor read_tensor(const TensorSpec& spec) {
  switch (spec.format) {
    case TensorFormat::Npy:
      return read_npy(spec.file);
    case TensorFormat::Hdf5:
      return read_hdf5(spec);
    case TensorFormat::Safetensors:
      return read_checkpoint_tensor(spec.file, spec.dataset);
  }
  throw Error(spec.file + ": unknown format");
}

Tensor read_tensor(const std::string& spec) {
  return read_tensor(parse_tensor_spec(spec));
}

void check_writable(const TensorSpec& spec) {
  if (spec.format == TensorFormat::Safetensors) return check_safetensors_target(spec.file, spec.dataset);
  check_output_path(spec.file);
  if (spec.format == TensorFormat::Hdf5) check_hdf5_target(spec);
}

void write_tensor(const TensorSpec& spec, const Tensor& t) {
  check_writable(spec);
  switch (spec.format) {
    case TensorFormat::Npy:
      return write_npy(spec.file, t);
    case TensorFormat::Hdf5:
      return h5::write_tensor_file(spec.file, spec.dataset, t);
    case TensorFormat::Safetensors:
      return write_safetensors_tensor(spec.file, spec.dataset, t);
  }
}

void write_tensor(const std::string& spec, const Tensor& t) {
  write_tensor(parse_tensor_spec(spec), t);
}

}  // namespace interplay::io
