// Object: attributes on groups, files (their root group) and datasets.
#include <cmath>

#include "core/error.hpp"
#include "io/hdf5.hpp"
#include "io/hdf5_detail.hpp"

namespace interplay::io::h5 {

using detail::check;
using detail::dataspace;
using detail::fail;
using detail::is_numeric;
using detail::read_string_values;
using detail::shape_of;
using detail::silence_hdf5;
using detail::string_type;

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

}  // namespace interplay::io::h5
