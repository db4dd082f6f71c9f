#include "io/hdf5.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <exception>
#include <filesystem>

#include "core/error.hpp"
#include "io/atomic_output.hpp"

namespace interplay::io::h5 {
namespace {

// HDF5 prints its error stack to stderr by default; the setting is per thread
// in thread-safe builds, so every entry point makes sure it is off here.
void silence_hdf5() {
  thread_local bool silenced = false;
  if (!silenced) {
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    silenced = true;
  }
}

// The innermost message on HDF5's error stack (the most specific reason),
// then clears the stack.
std::string hdf5_reason() {
  std::string reason;
  auto walk = [](unsigned, const H5E_error2_t* e, void* out) -> herr_t {
    if (e->desc && *e->desc) *static_cast<std::string*>(out) = e->desc;
    return 0;
  };
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, walk, &reason);
  H5Eclear2(H5E_DEFAULT);
  return reason;
}

[[noreturn]] void fail(const std::string& where, const std::string& what) {
  const std::string reason = hdf5_reason();
  throw Error(where + ": " + what + (reason.empty() ? "" : " (" + reason + ")"));
}

hid_t check(hid_t id, const std::string& where, const std::string& what) {
  if (id < 0) fail(where, what);
  return id;
}

template <class T>
hid_t memory_type();
template <>
hid_t memory_type<float>() {
  return H5T_NATIVE_FLOAT;
}
template <>
hid_t memory_type<double>() {
  return H5T_NATIVE_DOUBLE;
}
template <>
hid_t memory_type<std::int32_t>() {
  return H5T_NATIVE_INT32;
}
template <>
hid_t memory_type<std::int64_t>() {
  return H5T_NATIVE_INT64;
}
template <>
hid_t memory_type<std::uint8_t>() {
  return H5T_NATIVE_UINT8;
}

Handle string_type(H5T_cset_t cset = H5T_CSET_UTF8) {
  Handle t(H5Tcopy(H5T_C_S1), H5Tclose);
  H5Tset_size(t.id(), H5T_VARIABLE);
  H5Tset_cset(t.id(), cset);
  return t;
}

// The file type stored for a DType (little-endian, as numpy and h5py write).
Handle file_type(DType d) {
  switch (d) {
    case DType::Float32:
      return Handle(H5Tcopy(H5T_IEEE_F32LE), H5Tclose);
    case DType::Float64:
      return Handle(H5Tcopy(H5T_IEEE_F64LE), H5Tclose);
    case DType::Int8:
      return Handle(H5Tcopy(H5T_STD_I8LE), H5Tclose);
    case DType::Int16:
      return Handle(H5Tcopy(H5T_STD_I16LE), H5Tclose);
    case DType::Int32:
      return Handle(H5Tcopy(H5T_STD_I32LE), H5Tclose);
    case DType::Int64:
      return Handle(H5Tcopy(H5T_STD_I64LE), H5Tclose);
    case DType::UInt8:
      return Handle(H5Tcopy(H5T_STD_U8LE), H5Tclose);
    case DType::UInt16:
      return Handle(H5Tcopy(H5T_STD_U16LE), H5Tclose);
    case DType::UInt32:
      return Handle(H5Tcopy(H5T_STD_U32LE), H5Tclose);
    case DType::UInt64:
      return Handle(H5Tcopy(H5T_STD_U64LE), H5Tclose);
    case DType::String:
      return string_type();
    case DType::Other:
      break;
  }
  throw Error("cannot create a dataset of type 'other'");
}

std::size_t dtype_size(DType d) {
  switch (d) {
    case DType::Int8:
    case DType::UInt8:
      return 1;
    case DType::Int16:
    case DType::UInt16:
      return 2;
    case DType::Float32:
    case DType::Int32:
    case DType::UInt32:
      return 4;
    default:
      return 8;
  }
}

DType dtype_of(hid_t type) {
  const std::size_t size = H5Tget_size(type);
  switch (H5Tget_class(type)) {
    case H5T_FLOAT:
      if (size == 4) return DType::Float32;
      if (size == 8) return DType::Float64;
      return DType::Other;
    case H5T_INTEGER: {
      const bool sign = H5Tget_sign(type) == H5T_SGN_2;
      if (size == 1) return sign ? DType::Int8 : DType::UInt8;
      if (size == 2) return sign ? DType::Int16 : DType::UInt16;
      if (size == 4) return sign ? DType::Int32 : DType::UInt32;
      if (size == 8) return sign ? DType::Int64 : DType::UInt64;
      return DType::Other;
    }
    case H5T_STRING:
      return DType::String;
    default:
      return DType::Other;
  }
}

bool is_numeric(hid_t type) {
  const H5T_class_t c = H5Tget_class(type);
  return c == H5T_INTEGER || c == H5T_FLOAT;
}

// Shape of a dataspace: {} for scalar, {0} for a null (empty) space.
Shape shape_of(hid_t space) {
  switch (H5Sget_simple_extent_type(space)) {
    case H5S_SCALAR:
      return {};
    case H5S_SIMPLE: {
      const int rank = H5Sget_simple_extent_ndims(space);
      std::vector<hsize_t> dims(static_cast<std::size_t>(std::max(rank, 0)));
      H5Sget_simple_extent_dims(space, dims.data(), nullptr);
      return Shape(dims.begin(), dims.end());
    }
    default:
      return {0};
  }
}

Handle dataspace(const Shape& shape, bool extendible = false) {
  if (shape.empty()) return Handle(H5Screate(H5S_SCALAR), H5Sclose);
  std::vector<hsize_t> dims(shape.begin(), shape.end()), max = dims;
  if (extendible) max[0] = H5S_UNLIMITED;
  return Handle(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), max.data()), H5Sclose);
}

// Strings from a fixed-length buffer: cut at the first NUL, drop space padding.
std::string fixed_string(const char* p, std::size_t size, H5T_str_t pad) {
  std::size_t n = std::find(p, p + size, '\0') - p;
  if (pad == H5T_STR_SPACEPAD)
    while (n > 0 && p[n - 1] == ' ') --n;
  return std::string(p, n);
}

// Reads n strings (variable or fixed length) through `read(mem_type, buf)`.
template <class ReadFn>
std::vector<std::string> read_string_values(hid_t stored, std::size_t n, ReadFn read) {
  std::vector<std::string> out(n);
  if (n == 0) return out;
  if (H5Tis_variable_str(stored) > 0) {
    Handle mem = string_type(H5Tget_cset(stored));
    std::vector<char*> ptrs(n, nullptr);
    read(mem.id(), ptrs.data());
    for (std::size_t i = 0; i < n; ++i) {
      if (ptrs[i]) out[i] = ptrs[i];
      H5free_memory(ptrs[i]);
    }
  } else {
    Handle mem(H5Tcopy(stored), H5Tclose);
    const std::size_t size = H5Tget_size(stored);
    std::vector<char> buf(size * n);
    read(mem.id(), buf.data());
    const H5T_str_t pad = H5Tget_strpad(stored);
    for (std::size_t i = 0; i < n; ++i) out[i] = fixed_string(buf.data() + i * size, size, pad);
  }
  return out;
}

std::vector<std::string> split_path(const std::string& path) {
  std::vector<std::string> parts;
  std::string cur;
  for (char c : path) {
    if (c == '/') {
      if (!cur.empty()) parts.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) parts.push_back(cur);
  return parts;
}

}  // namespace

const char* dtype_name(DType t) {
  switch (t) {
    case DType::Float32:
      return "float32";
    case DType::Float64:
      return "float64";
    case DType::Int8:
      return "int8";
    case DType::Int16:
      return "int16";
    case DType::Int32:
      return "int32";
    case DType::Int64:
      return "int64";
    case DType::UInt8:
      return "uint8";
    case DType::UInt16:
      return "uint16";
    case DType::UInt32:
      return "uint32";
    case DType::UInt64:
      return "uint64";
    case DType::String:
      return "string";
    case DType::Other:
      break;
  }
  return "other";
}

std::string describe(const DatasetInfo& d) {
  return d.path + " " + shape_string(d.shape) + " " + dtype_name(d.dtype);
}

// ---- Handle ----------------------------------------------------------------

Handle& Handle::operator=(Handle&& o) noexcept {
  if (this != &o) {
    reset();
    id_ = o.id_;
    close_ = o.close_;
    o.id_ = H5I_INVALID_HID;
  }
  return *this;
}

void Handle::reset() {
  if (id_ >= 0 && close_) {
    silence_hdf5();
    if (close_(id_) < 0) H5Eclear2(H5E_DEFAULT);
  }
  id_ = H5I_INVALID_HID;
}

hid_t Handle::release() {
  const hid_t id = id_;
  id_ = H5I_INVALID_HID;
  return id;
}

// ---- Object: attributes ----------------------------------------------------

std::string Object::where() const {
  return file_ + ":" + path_;
}

std::string Object::child_path(const std::string& rel) const {
  if (!rel.empty() && rel[0] == '/') return rel;
  return path_ == "/" ? "/" + rel : path_ + "/" + rel;
}

bool Object::has_attribute(const std::string& name) const {
  silence_hdf5();
  const htri_t r = H5Aexists(id(), name.c_str());
  if (r < 0) fail(where(), "cannot look up attribute '" + name + "'");
  return r > 0;
}

std::vector<std::string> Object::attribute_names() const {
  silence_hdf5();
  std::vector<std::string> names;
  auto collect = [](hid_t, const char* name, const H5A_info_t*, void* out) -> herr_t {
    static_cast<std::vector<std::string>*>(out)->push_back(name);
    return 0;
  };
  if (H5Aiterate2(id(), H5_INDEX_NAME, H5_ITER_INC, nullptr, collect, &names) < 0)
    fail(where(), "cannot list attributes");
  return names;
}

namespace {

// Creates (replacing) attribute `name` on `obj` and writes `data` to it.
void write_attribute(const Object& obj, const std::string& name, hid_t stored, hid_t memory,
                     const Shape& shape, const void* data) {
  silence_hdf5();
  const std::string what = "cannot write attribute '" + name + "'";
  if (obj.has_attribute(name) && H5Adelete(obj.id(), name.c_str()) < 0) fail(obj.where(), what);
  Handle space = dataspace(shape);
  Handle attr(
      check(H5Acreate2(obj.id(), name.c_str(), stored, space.id(), H5P_DEFAULT, H5P_DEFAULT),
            obj.where(), what),
      H5Aclose);
  if (H5Awrite(attr.id(), memory, data) < 0) fail(obj.where(), what);
}

struct OpenAttribute {
  Handle attr, type;
  std::size_t count = 0;
};

OpenAttribute open_attribute(const Object& obj, const std::string& name) {
  silence_hdf5();
  if (!obj.has_attribute(name)) throw Error(obj.where() + ": no attribute '" + name + "'");
  OpenAttribute a;
  a.attr = Handle(check(H5Aopen(obj.id(), name.c_str(), H5P_DEFAULT), obj.where(),
                        "cannot open attribute '" + name + "'"),
                  H5Aclose);
  a.type = Handle(H5Aget_type(a.attr.id()), H5Tclose);
  Handle space(H5Aget_space(a.attr.id()), H5Sclose);
  a.count = numel(shape_of(space.id()));
  return a;
}

std::vector<double> read_numbers(const Object& obj, const std::string& name) {
  OpenAttribute a = open_attribute(obj, name);
  if (!is_numeric(a.type.id()))
    throw Error(obj.where() + ": attribute '" + name + "' is not numeric");
  std::vector<double> v(a.count);
  if (a.count && H5Aread(a.attr.id(), H5T_NATIVE_DOUBLE, v.data()) < 0)
    fail(obj.where(), "cannot read attribute '" + name + "'");
  return v;
}

double read_one_number(const Object& obj, const std::string& name) {
  const std::vector<double> v = read_numbers(obj, name);
  if (v.size() != 1)
    throw Error(obj.where() + ": attribute '" + name + "' holds " + std::to_string(v.size()) +
                " values, expected one");
  return v[0];
}

}  // namespace

void Object::set_attribute(const std::string& name, const std::string& value) const {
  Handle type = string_type();
  const char* p = value.c_str();
  write_attribute(*this, name, type.id(), type.id(), {}, &p);
}

void Object::set_attribute(const std::string& name, double value) const {
  write_attribute(*this, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, {}, &value);
}

void Object::set_attribute(const std::string& name, std::int64_t value) const {
  write_attribute(*this, name, H5T_STD_I64LE, H5T_NATIVE_INT64, {}, &value);
}

void Object::set_attribute(const std::string& name, const std::vector<double>& values) const {
  write_attribute(*this, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, {values.size()}, values.data());
}

std::string Object::string_attribute(const std::string& name) const {
  OpenAttribute a = open_attribute(*this, name);
  if (H5Tget_class(a.type.id()) != H5T_STRING)
    throw Error(where() + ": attribute '" + name + "' is not a string");
  if (a.count != 1)
    throw Error(where() + ": attribute '" + name + "' holds " + std::to_string(a.count) +
                " strings, expected one");
  auto values = read_string_values(a.type.id(), 1, [&](hid_t mem, void* buf) {
    if (H5Aread(a.attr.id(), mem, buf) < 0) fail(where(), "cannot read attribute '" + name + "'");
  });
  return values[0];
}

double Object::number_attribute(const std::string& name) const {
  return read_one_number(*this, name);
}

std::int64_t Object::integer_attribute(const std::string& name) const {
  const double v = read_one_number(*this, name);
  if (!(std::nearbyint(v) == v && std::fabs(v) < 9.2e18))
    throw Error(where() + ": attribute '" + name + "' is not an integer");
  OpenAttribute a = open_attribute(*this, name);
  if (H5Tget_class(a.type.id()) == H5T_INTEGER) {
    std::int64_t exact = 0;  // read again without a trip through double
    if (H5Aread(a.attr.id(), H5T_NATIVE_INT64, &exact) < 0)
      fail(where(), "cannot read attribute '" + name + "'");
    return exact;
  }
  return static_cast<std::int64_t>(v);
}

std::vector<double> Object::numbers_attribute(const std::string& name) const {
  return read_numbers(*this, name);
}

// ---- Dataset ---------------------------------------------------------------

Shape Dataset::shape() const {
  silence_hdf5();
  Handle space(check(H5Dget_space(id()), where(), "cannot read the dataspace"), H5Sclose);
  return shape_of(space.id());
}

DType Dataset::dtype() const {
  silence_hdf5();
  Handle type(check(H5Dget_type(id()), where(), "cannot read the type"), H5Tclose);
  return dtype_of(type.id());
}

template <class T>
std::vector<T> Dataset::read() const {
  silence_hdf5();
  Handle type(check(H5Dget_type(id()), where(), "cannot read the type"), H5Tclose);
  if (!is_numeric(type.id()))
    throw Error(where() + ": dataset of type " + dtype_name(dtype_of(type.id())) +
                " is not numeric");
  std::vector<T> out(size());
  if (!out.empty() &&
      H5Dread(id(), memory_type<T>(), H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()) < 0)
    fail(where(), "cannot read dataset");
  return out;
}

std::vector<std::string> Dataset::read_strings() const {
  silence_hdf5();
  Handle type(check(H5Dget_type(id()), where(), "cannot read the type"), H5Tclose);
  if (H5Tget_class(type.id()) != H5T_STRING)
    throw Error(where() + ": dataset of type " + dtype_name(dtype_of(type.id())) +
                " does not hold strings");
  return read_string_values(type.id(), size(), [&](hid_t mem, void* buf) {
    if (H5Dread(id(), mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0)
      fail(where(), "cannot read dataset");
  });
}

template <class T>
void Dataset::write(const T* values) const {
  silence_hdf5();
  if (size() != 0 && H5Dwrite(id(), memory_type<T>(), H5S_ALL, H5S_ALL, H5P_DEFAULT, values) < 0)
    fail(where(), "cannot write dataset");
}

void Dataset::write_strings(const std::vector<std::string>& values) const {
  silence_hdf5();
  if (values.size() != size())
    throw Error(where() + ": " + std::to_string(values.size()) + " strings given for " +
                std::to_string(size()) + " elements");
  std::vector<const char*> ptrs;
  for (const auto& s : values) ptrs.push_back(s.c_str());
  Handle type = string_type();
  if (!ptrs.empty() && H5Dwrite(id(), type.id(), H5S_ALL, H5S_ALL, H5P_DEFAULT, ptrs.data()) < 0)
    fail(where(), "cannot write dataset");
}

std::pair<Handle, Handle> Dataset::extend(std::size_t rows) const {
  silence_hdf5();
  Handle space(check(H5Dget_space(id()), where(), "cannot read the dataspace"), H5Sclose);
  const int rank = H5Sget_simple_extent_ndims(space.id());
  if (rank < 1) throw Error(where() + ": a scalar dataset cannot be appended to");
  std::vector<hsize_t> dims(static_cast<std::size_t>(rank)), max(dims.size());
  H5Sget_simple_extent_dims(space.id(), dims.data(), max.data());
  if (max[0] != H5S_UNLIMITED)
    throw Error(where() + ": dataset is not extendible (create it with extendible = true)");
  std::vector<hsize_t> start(dims.size(), 0), count = dims;
  start[0] = dims[0];
  count[0] = rows;
  dims[0] += rows;
  if (H5Dset_extent(id(), dims.data()) < 0) fail(where(), "cannot extend dataset");
  Handle file_space(check(H5Dget_space(id()), where(), "cannot read the dataspace"), H5Sclose);
  if (H5Sselect_hyperslab(file_space.id(), H5S_SELECT_SET, start.data(), nullptr, count.data(),
                          nullptr) < 0)
    fail(where(), "cannot select the appended rows");
  Handle mem_space(H5Screate_simple(rank, count.data(), nullptr), H5Sclose);
  return {std::move(file_space), std::move(mem_space)};
}

template <class T>
void Dataset::append(const T* values, std::size_t rows) const {
  if (rows == 0) return;
  auto [file_space, mem_space] = extend(rows);
  if (H5Dwrite(id(), memory_type<T>(), mem_space.id(), file_space.id(), H5P_DEFAULT, values) < 0)
    fail(where(), "cannot append to dataset");
}

void Dataset::append_strings(const std::vector<std::string>& rows) const {
  if (rows.empty()) return;
  auto [file_space, mem_space] = extend(rows.size());
  std::vector<const char*> ptrs;
  for (const auto& s : rows) ptrs.push_back(s.c_str());
  Handle type = string_type();
  if (H5Dwrite(id(), type.id(), mem_space.id(), file_space.id(), H5P_DEFAULT, ptrs.data()) < 0)
    fail(where(), "cannot append to dataset");
}

#define INTERPLAY_H5_INSTANTIATE(T)                 \
  template std::vector<T> Dataset::read<T>() const; \
  template void Dataset::write<T>(const T*) const;  \
  template void Dataset::append<T>(const T*, std::size_t) const;
INTERPLAY_H5_INSTANTIATE(float)
INTERPLAY_H5_INSTANTIATE(double)
INTERPLAY_H5_INSTANTIATE(std::int32_t)
INTERPLAY_H5_INSTANTIATE(std::int64_t)
INTERPLAY_H5_INSTANTIATE(std::uint8_t)
#undef INTERPLAY_H5_INSTANTIATE

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

File File::open(const std::string& path, Mode mode, const std::string& display_name) {
  silence_hdf5();
  const std::string name = display_name.empty() ? path : display_name;
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) throw Error(name + ": cannot open: " + std::strerror(errno));
  if (!S_ISREG(st.st_mode)) throw Error(name + ": cannot open: not a regular file");
  if (!is_hdf5_file(path)) throw Error(name + ": not an HDF5 file");
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
  AtomicOutput out(file);
  {
    struct stat st {};
    const bool existing = ::stat(file.c_str(), &st) == 0;
    if (existing) {
      if (!is_hdf5_file(file)) throw Error(file + ": exists and is not an HDF5 file");
      std::error_code ec;
      std::filesystem::copy_file(file, out.temp_path(),
                                 std::filesystem::copy_options::overwrite_existing, ec);
      if (ec) throw Error(file + ": cannot copy to a temporary file: " + ec.message());
    }
    File f = existing ? File::open(out.temp_path(), Mode::ReadWrite, file)
                      : File::create(out.temp_path(), file);
    write_tensor(f, dataset_path, t);
    f.close();
  }
  out.commit();
}

}  // namespace interplay::io::h5
