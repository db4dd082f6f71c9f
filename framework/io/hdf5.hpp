#pragma once
// Small RAII wrappers over the HDF5 C API, the only place HDF5 is used.
//
// Every handle closes itself. HDF5's automatic error printing is switched off
// (per thread, on first use) and every failure becomes an interplay::Error
// naming the file and the object path, plus HDF5's own reason:
//   "w.h5:/layers/0/weight: cannot open dataset (object 'weight' doesn't exist)"
//
// Paths: a path starting with '/' is absolute in the file; anything else is
// relative to the group it is passed to. Group operations on a File act on
// its root group "/", and attributes on a File are those of "/" (as h5py's
// `f.attrs`).
//
// Typical use:
//   auto f = h5::File::create("results.h5");
//   f.set_attribute("config", config_json_text);
//   h5::CreateOptions rows;
//   rows.extendible = true;
//   auto d = f.create_dataset("/points/loss", h5::DType::Float64, {0}, rows);
//   d.append(values.data(), values.size());
//   Tensor w = h5::read_tensor(h5::File::open("weights.h5"), "/layer0/weight");
//
// The Debian HDF5 build is thread-safe (a global lock), so handles may be
// used from several threads, but calls are serialised by the library.
#include <hdf5.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/tensor.hpp"

namespace interplay::io::h5 {

// Element types known by name; any other HDF5 type reads as Other.
enum class DType {
  Float32,
  Float64,
  Int8,
  Int16,
  Int32,
  Int64,
  UInt8,
  UInt16,
  UInt32,
  UInt64,
  String,
  Other
};
const char* dtype_name(DType t);  // "float32", ..., "string", "other"

enum class ObjectType { None, Group, Dataset, Other };

// Owns one hid_t and closes it with the matching H5?close.
class Handle {
 public:
  using Closer = herr_t (*)(hid_t);
  Handle() = default;
  Handle(hid_t id, Closer close) : id_(id), close_(close) {}
  ~Handle() { reset(); }
  Handle(Handle&& o) noexcept : id_(o.id_), close_(o.close_) { o.id_ = H5I_INVALID_HID; }
  Handle& operator=(Handle&& o) noexcept;
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;

  hid_t id() const { return id_; }
  bool valid() const { return id_ >= 0; }
  void reset();     // closes, ignoring errors
  hid_t release();  // gives up ownership

 private:
  hid_t id_ = H5I_INVALID_HID;
  Closer close_ = nullptr;
};

struct DatasetInfo {
  std::string path;  // absolute, e.g. "/layers/0/weight"
  Shape shape;       // {} for a scalar dataset
  DType dtype = DType::Other;
};
std::string describe(const DatasetInfo& d);  // "/a/b [3,4] float32"

// Anything that carries attributes: a group (or a File's root) or a dataset.
class Object {
 public:
  hid_t id() const { return handle_.id(); }
  const std::string& file_name() const { return file_; }
  const std::string& path() const { return path_; }  // absolute
  std::string where() const;                         // "file.h5:/path", for messages

  bool has_attribute(const std::string& name) const;
  std::vector<std::string> attribute_names() const;
  // Setting replaces an attribute of the same name. Strings are stored as
  // variable-length UTF-8 scalars, numbers as scalar float64 / int64, lists
  // as 1-d float64.
  void set_attribute(const std::string& name, const std::string& value) const;
  void set_attribute(const std::string& name, const char* value) const {
    set_attribute(name, std::string(value));
  }
  void set_attribute(const std::string& name, double value) const;
  void set_attribute(const std::string& name, std::int64_t value) const;
  void set_attribute(const std::string& name, const std::vector<double>& values) const;
  // Readers accept what other tools write: fixed or variable-length strings;
  // any integer or float type (converted).
  std::string string_attribute(const std::string& name) const;
  double number_attribute(const std::string& name) const;
  std::int64_t integer_attribute(const std::string& name) const;
  std::vector<double> numbers_attribute(const std::string& name) const;

 protected:
  Object() = default;
  Object(Handle h, std::string file, std::string path)
      : handle_(std::move(h)), file_(std::move(file)), path_(std::move(path)) {}
  std::string child_path(const std::string& rel) const;  // absolute path of `rel`

  Handle handle_;
  std::string file_, path_;
};

class Dataset : public Object {
 public:
  Shape shape() const;  // {} for a scalar dataspace
  DType dtype() const;
  DatasetInfo info() const { return {path_, shape(), dtype()}; }
  std::size_t size() const { return numel(shape()); }

  // The whole dataset, converted by HDF5 to T. T is one of float, double,
  // std::int32_t, std::int64_t, std::uint8_t; the stored type must be numeric.
  template <class T>
  std::vector<T> read() const;
  std::vector<std::string> read_strings() const;

  // Overwrites the whole dataset with size() values of T.
  template <class T>
  void write(const T* values) const;
  void write_strings(const std::vector<std::string>& values) const;

  // Grows an extendible dataset along axis 0 by `rows` rows (each the product
  // of the other dimensions wide) and writes them: one call per result row
  // keeps a file usable after an interruption.
  template <class T>
  void append(const T* values, std::size_t rows) const;
  void append_strings(const std::vector<std::string>& rows) const;

 private:
  friend class Group;
  using Object::Object;
  // Extends axis 0 by `rows`; returns the file and memory dataspaces for them.
  std::pair<Handle, Handle> extend(std::size_t rows) const;
};

struct CreateOptions {
  bool extendible = false;     // axis 0 unlimited (chunked), for append()
  std::size_t chunk_rows = 0;  // rows per chunk when chunked; 0 = about 64 KiB
  int deflate = 0;             // gzip level 0..9 (0 = none; implies chunking)
};

class Group : public Object {
 public:
  // What `path` names; None when any link on the way is missing.
  ObjectType type(const std::string& path) const;
  bool exists(const std::string& path) const { return type(path) != ObjectType::None; }

  Group group(const std::string& path) const;          // must exist
  Group require_group(const std::string& path) const;  // opens or creates, with parents
  Dataset dataset(const std::string& path) const;      // must exist
  // Creates parents as needed; an existing object at `path` is an error.
  Dataset create_dataset(const std::string& path, DType dtype, const Shape& shape,
                         const CreateOptions& options = {}) const;
  void remove(const std::string& path) const;  // unlinks a dataset or group

  // Every dataset below this group (recursively), sorted by path.
  std::vector<DatasetInfo> list_datasets() const;

 protected:
  using Object::Object;
};

enum class Mode { ReadOnly, ReadWrite };

class File : public Group {
 public:
  // `display_name` replaces `path` in error messages (e.g. the real target of
  // a temporary copy); empty means `path`.
  static File open(const std::string& path, Mode mode = Mode::ReadOnly,
                   const std::string& display_name = "");
  static File create(const std::string& path, const std::string& display_name = "");  // truncates

  // Files built in memory (HDF5's core driver, no backing store) and saved
  // with save_atomically(): HDF5 itself never writes to disk, so a full disk
  // or an I/O error can only surface in one checked write of the finished
  // image, never as a half-flushed file or a failing destructor.
  static File create_in_memory(const std::string& display_name);
  // The whole of an existing file, loaded into memory for modification.
  static File open_in_memory(const std::string& path, const std::string& display_name = "");
  // Closes the file (every object from it must be closed already) and writes
  // its bytes to `path` through an AtomicOutput: the old file stays as it was
  // unless the new one was written, synced and renamed completely.
  void save_atomically(const std::string& path);

  void flush() const;
  // Closes now (destruction also closes); objects still open from this file
  // keep it open until they are gone.
  void close();

 private:
  File(Handle file, Handle root, std::string name);
  Handle file_handle_;
};

// True if the file exists and has the HDF5 signature.
bool is_hdf5_file(const std::string& path);

// A float32 or float64 dataset of any rank as a Tensor (float64 is rounded to
// nearest float32); other types are an Error naming the dataset.
Tensor read_tensor(const Group& from, const std::string& dataset_path);

// Writes `t` as a float32 dataset, creating parent groups and replacing an
// existing dataset at that path.
void write_tensor(const Group& to, const std::string& dataset_path, const Tensor& t);

// Writes `t` into `file` at `dataset_path` so that the file is never seen
// half-written: a new file is built as a temporary and renamed into place; an
// existing file is copied to a temporary, modified there, then renamed.
void write_tensor_file(const std::string& file, const std::string& dataset_path, const Tensor& t);

}  // namespace interplay::io::h5
