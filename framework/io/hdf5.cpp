// Group and File navigation, and tensors in HDF5 files.
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <exception>
#include <filesystem>

#include "core/error.hpp"
#include "io/atomic_output.hpp"
#include "io/hdf5.hpp"
#include "io/hdf5_detail.hpp"

namespace interplay::io::h5 {

using detail::check;
using detail::dataspace;
using detail::dtype_size;
using detail::fail;
using detail::file_type;
using detail::silence_hdf5;
using detail::split_path;

// ---- Group -----------------------------------------------------------------

ObjectType Group::type(const std::string& path) const {
  silence_hdf5();
  const std::string full = child_path(path);
  const std::vector<std::string> parts = split_path(full);
  if (parts.empty()) return ObjectType::Group;  // the root
  // Check link by link: asking for "a/b" fails (not "false") when "a" is missing.
  std::string prefix;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    prefix += "/" + parts[i];
    if (H5Lexists(id(), prefix.c_str(), H5P_DEFAULT) <= 0) {
      H5Eclear2(H5E_DEFAULT);
      return ObjectType::None;
    }
  }
  Handle obj(H5Oopen(id(), full.c_str(), H5P_DEFAULT), H5Oclose);
  if (!obj.valid()) {  // e.g. a dangling soft link
    H5Eclear2(H5E_DEFAULT);
    return ObjectType::None;
  }
  switch (H5Iget_type(obj.id())) {
    case H5I_GROUP:
      return ObjectType::Group;
    case H5I_DATASET:
      return ObjectType::Dataset;
    default:
      return ObjectType::Other;
  }
}

Group Group::group(const std::string& path) const {
  const std::string full = child_path(path);
  const ObjectType t = type(full);
  if (t == ObjectType::None) throw Error(file_ + ":" + full + ": no such group");
  if (t != ObjectType::Group) throw Error(file_ + ":" + full + ": is not a group");
  return Group(Handle(check(H5Gopen2(id(), full.c_str(), H5P_DEFAULT), file_ + ":" + full,
                            "cannot open group"),
                      H5Gclose),
               file_, full);
}

namespace {
Handle intermediate_groups() {
  Handle lcpl(H5Pcreate(H5P_LINK_CREATE), H5Pclose);
  H5Pset_create_intermediate_group(lcpl.id(), 1);
  return lcpl;
}
}  // namespace

Group Group::require_group(const std::string& path) const {
  const std::string full = child_path(path);
  const ObjectType t = type(full);
  if (t == ObjectType::Group) return group(full);
  if (t != ObjectType::None) throw Error(file_ + ":" + full + ": exists and is not a group");
  Handle lcpl = intermediate_groups();
  return Group(Handle(check(H5Gcreate2(id(), full.c_str(), lcpl.id(), H5P_DEFAULT, H5P_DEFAULT),
                            file_ + ":" + full, "cannot create group"),
                      H5Gclose),
               file_, full);
}

Dataset Group::dataset(const std::string& path) const {
  const std::string full = child_path(path);
  const ObjectType t = type(full);
  if (t == ObjectType::None) throw Error(file_ + ":" + full + ": no such dataset");
  if (t != ObjectType::Dataset) throw Error(file_ + ":" + full + ": is not a dataset");
  return Dataset(Handle(check(H5Dopen2(id(), full.c_str(), H5P_DEFAULT), file_ + ":" + full,
                              "cannot open dataset"),
                        H5Dclose),
                 file_, full);
}

Dataset Group::create_dataset(const std::string& path, DType dtype, const Shape& shape,
                              const CreateOptions& options) const {
  const std::string full = child_path(path);
  const std::string at_path = file_ + ":" + full;
  if (type(full) != ObjectType::None) throw Error(at_path + ": already exists");
  if (options.extendible && shape.empty())
    throw Error(at_path + ": an extendible dataset needs at least one dimension");
  if (options.deflate < 0 || options.deflate > 9)
    throw Error(at_path + ": deflate level must be 0..9");

  Handle stored = file_type(dtype);
  Handle space = dataspace(shape, options.extendible);
  Handle dcpl(H5Pcreate(H5P_DATASET_CREATE), H5Pclose);
  if ((options.extendible || options.deflate > 0) && !shape.empty()) {
    std::vector<hsize_t> chunk(shape.begin(), shape.end());
    std::size_t row_bytes = dtype_size(dtype);
    for (std::size_t i = 1; i < chunk.size(); ++i) {
      chunk[i] = std::max<hsize_t>(chunk[i], 1);
      row_bytes *= chunk[i];
    }
    chunk[0] =
        options.chunk_rows ? options.chunk_rows : std::max<std::size_t>(1, (64 << 10) / row_bytes);
    if (!options.extendible) chunk[0] = std::min<hsize_t>(chunk[0], std::max<hsize_t>(shape[0], 1));
    if (H5Pset_chunk(dcpl.id(), static_cast<int>(chunk.size()), chunk.data()) < 0)
      fail(at_path, "invalid chunk shape");
    if (options.deflate > 0 &&
        H5Pset_deflate(dcpl.id(), static_cast<unsigned>(options.deflate)) < 0)
      fail(at_path, "cannot enable compression");
  }
  Handle lcpl = intermediate_groups();
  return Dataset(Handle(check(H5Dcreate2(id(), full.c_str(), stored.id(), space.id(), lcpl.id(),
                                         dcpl.id(), H5P_DEFAULT),
                              at_path, "cannot create dataset"),
                        H5Dclose),
                 file_, full);
}

void Group::remove(const std::string& path) const {
  silence_hdf5();
  const std::string full = child_path(path);
  if (H5Ldelete(id(), full.c_str(), H5P_DEFAULT) < 0) fail(file_ + ":" + full, "cannot remove");
}

std::vector<DatasetInfo> Group::list_datasets() const {
  silence_hdf5();
  struct Visit {
    const Group* group;
    std::vector<DatasetInfo> found;
    std::exception_ptr error;
  } visit{this, {}, nullptr};
  // Exceptions must not cross HDF5's C frames: park them and rethrow after.
  auto on_link = [](hid_t, const char* name, const H5L_info_t* info, void* data) -> herr_t {
    auto& v = *static_cast<Visit*>(data);
    if (info->type != H5L_TYPE_HARD && info->type != H5L_TYPE_SOFT) return 0;
    try {
      const std::string full = v.group->child_path(name);
      if (v.group->type(full) == ObjectType::Dataset)
        v.found.push_back(v.group->dataset(full).info());
    } catch (...) {
      v.error = std::current_exception();
      return -1;
    }
    return 0;
  };
  const herr_t r = H5Lvisit(id(), H5_INDEX_NAME, H5_ITER_INC, on_link, &visit);
  if (visit.error) std::rethrow_exception(visit.error);
  if (r < 0) fail(where(), "cannot list datasets");
  std::sort(visit.found.begin(), visit.found.end(),
            [](const DatasetInfo& a, const DatasetInfo& b) { return a.path < b.path; });
  return visit.found;
}

// ---- File ------------------------------------------------------------------

File::File(Handle file, Handle root, std::string name)
    : Group(std::move(root), std::move(name), "/"), file_handle_(std::move(file)) {}

bool is_hdf5_file(const std::string& path) {
  silence_hdf5();
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return false;
  const htri_t r = H5Fis_hdf5(path.c_str());
  H5Eclear2(H5E_DEFAULT);
  return r > 0;
}

namespace {
// A regular file with the HDF5 signature; `name` is what messages call it.
void check_openable(const std::string& path, const std::string& name) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) throw Error(name + ": cannot open: " + std::strerror(errno));
  if (!S_ISREG(st.st_mode)) throw Error(name + ": cannot open: not a regular file");
  if (!is_hdf5_file(path)) throw Error(name + ": not an HDF5 file");
}
}  // namespace

File File::open(const std::string& path, Mode mode, const std::string& display_name) {
  silence_hdf5();
  const std::string name = display_name.empty() ? path : display_name;
  check_openable(path, name);
  const unsigned flags = mode == Mode::ReadWrite ? H5F_ACC_RDWR : H5F_ACC_RDONLY;
  Handle file(check(H5Fopen(path.c_str(), flags, H5P_DEFAULT), name, "cannot open HDF5 file"),
              H5Fclose);
  Handle root(check(H5Gopen2(file.id(), "/", H5P_DEFAULT), name, "cannot open the root group"),
              H5Gclose);
  return File(std::move(file), std::move(root), name);
}

File File::create(const std::string& path, const std::string& display_name) {
  silence_hdf5();
  const std::string name = display_name.empty() ? path : display_name;
  // The 1.8+ object format can hold attributes over 64 KiB (e.g. long lists
  // of numbers) in dense storage; every current HDF5 and h5py reads it.
  Handle fapl(H5Pcreate(H5P_FILE_ACCESS), H5Pclose);
  H5Pset_libver_bounds(fapl.id(), H5F_LIBVER_V18, H5F_LIBVER_LATEST);
  Handle file(check(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl.id()), name,
                    "cannot create HDF5 file"),
              H5Fclose);
  Handle root(check(H5Gopen2(file.id(), "/", H5P_DEFAULT), name, "cannot open the root group"),
              H5Gclose);
  return File(std::move(file), std::move(root), name);
}

namespace {

Handle memory_fapl() {
  Handle fapl(H5Pcreate(H5P_FILE_ACCESS), H5Pclose);
  H5Pset_libver_bounds(fapl.id(), H5F_LIBVER_V18, H5F_LIBVER_LATEST);
  H5Pset_fapl_core(fapl.id(), 1 << 16, /*backing_store=*/0);
  return fapl;
}

// The core driver names open files; two in-memory files must not share one.
std::string unique_memory_name(const std::string& display_name) {
  static std::atomic<unsigned long> counter{0};
  return "interplay-memory-" + std::to_string(counter++) + "-" + display_name;
}

}  // namespace

File File::create_in_memory(const std::string& display_name) {
  silence_hdf5();
  const Handle fapl = memory_fapl();
  Handle file(check(H5Fcreate(unique_memory_name(display_name).c_str(), H5F_ACC_EXCL,
                              H5P_DEFAULT, fapl.id()),
                    display_name, "cannot create HDF5 file in memory"),
              H5Fclose);
  Handle root(check(H5Gopen2(file.id(), "/", H5P_DEFAULT), display_name,
                    "cannot open the root group"),
              H5Gclose);
  return File(std::move(file), std::move(root), display_name);
}

File File::open_in_memory(const std::string& path, const std::string& display_name) {
  silence_hdf5();
  const std::string name = display_name.empty() ? path : display_name;
  check_openable(path, name);
  const Handle fapl = memory_fapl();  // reads the file in; changes stay in memory
  Handle file(check(H5Fopen(path.c_str(), H5F_ACC_RDWR, fapl.id()), name,
                    "cannot open HDF5 file"),
              H5Fclose);
  Handle root(check(H5Gopen2(file.id(), "/", H5P_DEFAULT), name, "cannot open the root group"),
              H5Gclose);
  return File(std::move(file), std::move(root), name);
}

void File::save_atomically(const std::string& path) {
  silence_hdf5();
  handle_.reset();
  const hid_t id = file_handle_.id();
  // An object still open would be written after the image is taken.
  if (H5Fget_obj_count(id, H5F_OBJ_ALL | H5F_OBJ_LOCAL) > 1)
    throw Error(file_ + ": internal: objects of the file are still open when saving it");
  if (H5Fflush(id, H5F_SCOPE_LOCAL) < 0) fail(file_, "cannot flush");
  const ssize_t size = H5Fget_file_image(id, nullptr, 0);
  if (size < 0) fail(file_, "cannot take the file image");
  std::string bytes(std::size_t(size), '\0');
  if (H5Fget_file_image(id, bytes.data(), bytes.size()) != size)
    fail(file_, "cannot take the file image");
  detail::repair_superblock_checksum(bytes);
  close();
  write_file_atomically(path, bytes);
}

void File::flush() const {
  silence_hdf5();
  if (H5Fflush(file_handle_.id(), H5F_SCOPE_LOCAL) < 0) fail(file_, "cannot flush");
}

void File::close() {
  silence_hdf5();
  handle_.reset();
  if (file_handle_.valid() && H5Fclose(file_handle_.release()) < 0) fail(file_, "cannot close");
}

// ---- Tensors ---------------------------------------------------------------

Tensor read_tensor(const Group& from, const std::string& dataset_path) {
  const Dataset d = from.dataset(dataset_path);
  const DType t = d.dtype();
  Tensor out;
  out.shape = d.shape();
  if (t == DType::Float32) {
    out.data = d.read<float>();
  } else if (t == DType::Float64) {
    // Converted here, not by HDF5, so rounding matches the .npy reader.
    const std::vector<double> wide = d.read<double>();
    out.data.resize(wide.size());
    for (std::size_t i = 0; i < wide.size(); ++i) out.data[i] = static_cast<float>(wide[i]);
  } else {
    throw Error(d.where() + ": dataset type " + dtype_name(t) +
                " is not supported (expected float32 or float64)");
  }
  return out;
}

void write_tensor(const Group& to, const std::string& dataset_path, const Tensor& t) {
  if (numel(t.shape) != t.data.size())
    throw Error(to.file_name() + ":" + dataset_path + ": tensor of shape " + shape_string(t.shape) +
                " holds " + std::to_string(t.data.size()) + " values");
  if (to.exists(dataset_path)) {
    const Dataset old = to.dataset(dataset_path);  // throws if it is a group
    // Same shape and type: overwrite in place, so rewriting does not grow the file.
    if (old.dtype() == DType::Float32 && old.shape() == t.shape) {
      old.write(t.data.data());
      return;
    }
    to.remove(dataset_path);
  }
  to.create_dataset(dataset_path, DType::Float32, t.shape).write(t.data.data());
}

void write_tensor_file(const std::string& file, const std::string& dataset_path, const Tensor& t) {
  check_output_path(file);
  struct stat st {};
  const bool existing = ::stat(file.c_str(), &st) == 0;
  if (existing && !is_hdf5_file(file)) throw Error(file + ": exists and is not an HDF5 file");
  File f = existing ? File::open_in_memory(file) : File::create_in_memory(file);
  write_tensor(f, dataset_path, t);
  f.save_atomically(file);
}

}  // namespace interplay::io::h5
