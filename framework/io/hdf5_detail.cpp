#include "io/hdf5_detail.hpp"

#include <algorithm>

#include "core/error.hpp"

namespace interplay::io::h5 {
namespace detail {
namespace {

// DTypes as data: name, HDF5 class, byte size, signedness.
struct TypeRow {
  DType dtype;
  const char* name;
  H5T_class_t cls;
  std::size_t size;
  bool is_signed;
};
constexpr TypeRow kTypes[] = {{DType::Float32, "float32", H5T_FLOAT, 4, true},
                              {DType::Float64, "float64", H5T_FLOAT, 8, true},
                              {DType::Int8, "int8", H5T_INTEGER, 1, true},
                              {DType::Int16, "int16", H5T_INTEGER, 2, true},
                              {DType::Int32, "int32", H5T_INTEGER, 4, true},
                              {DType::Int64, "int64", H5T_INTEGER, 8, true},
                              {DType::UInt8, "uint8", H5T_INTEGER, 1, false},
                              {DType::UInt16, "uint16", H5T_INTEGER, 2, false},
                              {DType::UInt32, "uint32", H5T_INTEGER, 4, false},
                              {DType::UInt64, "uint64", H5T_INTEGER, 8, false},
                              {DType::String, "string", H5T_STRING, 0, false}};

const TypeRow* row_of(DType d) {
  for (const auto& r : kTypes)
    if (r.dtype == d) return &r;
  return nullptr;
}

// The innermost message on HDF5's error stack: the most specific reason.
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

}  // namespace

void silence_hdf5() {
  thread_local bool silenced = false;
  if (!silenced) {
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    silenced = true;
  }
}

void fail(const std::string& where, const std::string& what) {
  const std::string reason = hdf5_reason();
  throw Error(where + ": " + what + (reason.empty() ? "" : " (" + reason + ")"));
}

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

Handle string_type(H5T_cset_t cset) {
  Handle t(H5Tcopy(H5T_C_S1), H5Tclose);
  H5Tset_size(t.id(), H5T_VARIABLE);
  H5Tset_cset(t.id(), cset);
  return t;
}

Handle file_type(DType d) {
  const TypeRow* r = row_of(d);
  if (!r) throw Error("cannot create a dataset of type 'other'");
  if (r->cls == H5T_STRING) return string_type();
  if (r->cls == H5T_FLOAT)
    return Handle(H5Tcopy(r->size == 4 ? H5T_IEEE_F32LE : H5T_IEEE_F64LE), H5Tclose);
  Handle t(H5Tcopy(H5T_STD_I8LE), H5Tclose);  // widened and signed as the row says
  H5Tset_size(t.id(), r->size);
  H5Tset_sign(t.id(), r->is_signed ? H5T_SGN_2 : H5T_SGN_NONE);
  return t;
}

std::size_t dtype_size(DType d) {
  const TypeRow* r = row_of(d);
  return r && r->size ? r->size : sizeof(char*);  // strings: a pointer per element
}

DType dtype_of(hid_t type) {
  const H5T_class_t cls = H5Tget_class(type);
  if (cls == H5T_STRING) return DType::String;
  const std::size_t size = H5Tget_size(type);
  const bool is_signed = cls != H5T_INTEGER || H5Tget_sign(type) == H5T_SGN_2;
  for (const auto& r : kTypes)
    if (r.cls == cls && r.size == size && r.is_signed == is_signed) return r.dtype;
  return DType::Other;
}

bool is_numeric(hid_t type) {
  const H5T_class_t c = H5Tget_class(type);
  return c == H5T_INTEGER || c == H5T_FLOAT;
}

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

Handle dataspace(const Shape& shape, bool extendible) {
  if (shape.empty()) return Handle(H5Screate(H5S_SCALAR), H5Sclose);
  std::vector<hsize_t> dims(shape.begin(), shape.end()), max = dims;
  if (extendible) max[0] = H5S_UNLIMITED;
  return Handle(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), max.data()), H5Sclose);
}

std::string fixed_string(const char* p, std::size_t size, H5T_str_t pad) {
  std::size_t n = static_cast<std::size_t>(std::find(p, p + size, '\0') - p);
  if (pad == H5T_STR_SPACEPAD)
    while (n > 0 && p[n - 1] == ' ') --n;
  return std::string(p, n);
}

std::vector<std::string> split_path(const std::string& path) {
  std::vector<std::string> parts;
  std::string cur;
  for (char c : path) {
    if (c != '/') {
      cur += c;
    } else if (!cur.empty()) {
      parts.push_back(cur);
      cur.clear();
    }
  }
  if (!cur.empty()) parts.push_back(cur);
  return parts;
}

}  // namespace detail

const char* dtype_name(DType t) {
  const detail::TypeRow* r = detail::row_of(t);
  return r ? r->name : "other";
}

std::string describe(const DatasetInfo& d) {
  return d.path + " " + shape_string(d.shape) + " " + dtype_name(d.dtype);
}

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
    detail::silence_hdf5();
    if (close_(id_) < 0) H5Eclear2(H5E_DEFAULT);
  }
  id_ = H5I_INVALID_HID;
}

hid_t Handle::release() {
  const hid_t id = id_;
  id_ = H5I_INVALID_HID;
  return id;
}

}  // namespace interplay::io::h5
