// Dataset: typed whole-dataset reads and writes, and row appends.
#include "core/error.hpp"
#include "core/memory.hpp"
#include "io/hdf5.hpp"
#include "io/hdf5_detail.hpp"

namespace interplay::io::h5 {

using detail::check;
using detail::dtype_of;
using detail::fail;
using detail::is_numeric;
using detail::memory_type;
using detail::read_string_values;
using detail::shape_of;
using detail::silence_hdf5;
using detail::string_type;

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

namespace {
// numel() with the dataset named when the declared shape overflows.
std::size_t element_count(const Dataset& d) {
  try {
    return numel(d.shape());
  } catch (const Error& e) {
    throw Error(d.where() + ": " + e.what());
  }
}
}  // namespace

template <class T>
std::vector<T> Dataset::read() const {
  silence_hdf5();
  Handle type(check(H5Dget_type(id()), where(), "cannot read the type"), H5Tclose);
  if (!is_numeric(type.id()))
    throw Error(where() + ": dataset of type " + dtype_name(dtype_of(type.id())) +
                " is not numeric");
  // The shape is the file's claim: unwritten chunks make a tiny file declare
  // terabytes. Check it against memory before allocating.
  check_fits_in_memory(checked_mul(element_count(*this), sizeof(T), where()),
                       where() + ": dataset of shape " + shape_string(shape()));
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
  check_fits_in_memory(checked_mul(element_count(*this), 2 * sizeof(char*), where()),
                       where() + ": dataset of shape " + shape_string(shape()));
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

}  // namespace interplay::io::h5
