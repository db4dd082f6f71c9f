#include "io/safetensors.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>

#include "core/error.hpp"
#include "io/safetensors_dtype.hpp"

namespace interplay::io {
namespace {

using json = nlohmann::json;

// The reference implementation refuses headers above 100 MB; a real header
// is a few hundred bytes per tensor.
constexpr std::uint64_t kMaxHeader = 100u << 20;
// A valid header nests three deep ({name: {shape: [..]}}); anything deeper is
// rejected while parsing, before it can cost memory or stack.
constexpr int kMaxDepth = 3;

// A JSON library message may quote raw header bytes: keep it on one line.
std::string one_line(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (out.size() >= 160) return out + "...";
    out += (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) ? '?' : c;
  }
  return out;
}

struct Unmap {
  std::size_t size;
  void operator()(void* p) const {
    if (p && size) ::munmap(p, size);
  }
};

std::uint64_t checked_offset(const json& v, const std::string& where) {
  if (!v.is_number_unsigned()) throw Error(where + " must be a non-negative integer");
  return v.get<std::uint64_t>();
}

SafetensorsEntry parse_entry(const std::string& name, const json& v, const std::string& label) {
  const std::string where = label + ": tensor '" + name + "'";
  if (name.empty()) throw Error(label + ": a tensor has an empty name");
  if (!v.is_object())
    throw Error(where + ": expected an object with dtype, shape and data_offsets");
  for (const auto& [k, _] : v.items())
    if (k != "dtype" && k != "shape" && k != "data_offsets")
      throw Error(where + ": unknown key '" + one_line(k) + "' (known: dtype, shape, data_offsets)");
  SafetensorsEntry e;
  e.name = name;
  const auto dt = v.find("dtype"), sh = v.find("shape"), off = v.find("data_offsets");
  if (dt == v.end() || sh == v.end() || off == v.end())
    throw Error(where + ": needs dtype, shape and data_offsets");
  if (!dt->is_string()) throw Error(where + ": dtype must be a string");
  e.dtype = dt->get<std::string>();
  const std::size_t esize = st::dtype_size(e.dtype);
  if (esize == 0)
    throw Error(where + ": unknown dtype '" + one_line(e.dtype) + "' (known: " + st::known_dtypes() +
                ")");
  if (!sh->is_array()) throw Error(where + ": shape must be an array");
  // The element count and byte size must fit 64 bits: a hostile shape must not wrap
  // around into a small, "matching" byte range.
  std::uint64_t count = 1;
  for (std::size_t i = 0; i < sh->size(); ++i) {
    const std::uint64_t d = checked_offset((*sh)[i], where + ": shape[" + std::to_string(i) + "]");
    if (d != 0 && count > std::numeric_limits<std::uint64_t>::max() / d)
      throw Error(where + ": shape[" + std::to_string(i) + "] = " + std::to_string(d) +
                  " overflows the element count");
    count *= d;
    e.shape.push_back(std::size_t(d));
  }
  if (count > std::numeric_limits<std::uint64_t>::max() / esize)
    throw Error(where + ": shape " + shape_string(e.shape) + " of " + e.dtype +
                " overflows the byte size");
  if (!off->is_array() || off->size() != 2)
    throw Error(where + ": data_offsets must be [BEGIN, END]");
  e.begin = checked_offset((*off)[0], where + ": data_offsets[0]");
  e.end = checked_offset((*off)[1], where + ": data_offsets[1]");
  if (e.end < e.begin)
    throw Error(where + ": data_offsets [" + std::to_string(e.begin) + ", " +
                std::to_string(e.end) + "] end before they begin");
  if (e.end - e.begin != count * esize)
    throw Error(where + ": holds " + std::to_string(e.end - e.begin) + " bytes but shape " +
                shape_string(e.shape) + " of " + e.dtype + " needs " +
                std::to_string(count * esize));
  return e;
}

// Parses with a callback that bounds the nesting depth and catches duplicate
// names, which a plain parse would silently merge (the last one winning).
json parse_header(const char* text, std::size_t n, const std::string& label) {
  std::set<std::string> names;
  const json::parser_callback_t check = [&](int depth, json::parse_event_t event, json& parsed) {
    if (depth > kMaxDepth) throw Error(label + ": header JSON nests deeper than a safetensors header");
    if (event == json::parse_event_t::key && depth == 1) {
      const std::string& k = parsed.get_ref<const std::string&>();
      if (!names.insert(k).second) throw Error(label + ": duplicate tensor name '" + one_line(k) + "'");
    }
    return true;
  };
  try {
    return json::parse(text, text + n, check);
  } catch (const json::exception& e) {
    throw Error(label + ": invalid JSON header: " + one_line(e.what()));
  }
}

}  // namespace

SafetensorsFile SafetensorsFile::parse(const std::uint8_t* bytes, std::size_t size,
                                       const std::string& label) {
  if (size < 8)
    throw Error(label + ": not a safetensors file: " + std::to_string(size) +
                " bytes, shorter than the 8-byte header length");
  std::uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | bytes[i];
  if (n > size - 8)
    throw Error(label + ": header length " + std::to_string(n) + " exceeds the file size (" +
                std::to_string(size) + " bytes)");
  if (n > kMaxHeader)
    throw Error(label + ": header length " + std::to_string(n) + " exceeds the 100 MB limit");
  if (n < 2 || bytes[8] != '{')
    throw Error(label + ": header is not a JSON object (must start with '{')");
  const json header = parse_header(reinterpret_cast<const char*>(bytes + 8), std::size_t(n), label);
  if (!header.is_object()) throw Error(label + ": header is not a JSON object");

  SafetensorsFile f;
  f.label_ = label;
  f.data_ = bytes + 8 + n;
  const std::uint64_t data_size = size - 8 - n;
  for (const auto& [name, v] : header.items()) {
    if (name == "__metadata__") {
      if (!v.is_object()) throw Error(label + ": __metadata__ must be an object of strings");
      for (const auto& [k, s] : v.items()) {
        if (!s.is_string())
          throw Error(label + ": __metadata__." + one_line(k) + " must be a string");
        f.metadata_[k] = s.get<std::string>();
      }
      continue;
    }
    f.entries_.push_back(parse_entry(name, v, label));
  }
  // Sorted by offset, the ranges must tile the data section exactly: no
  // overlap (two tensors sharing bytes), no gap, nothing beyond the end.
  std::stable_sort(f.entries_.begin(), f.entries_.end(),
                   [](const SafetensorsEntry& a, const SafetensorsEntry& b) {
                     return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
                   });
  std::uint64_t expected = 0;
  for (const auto& e : f.entries_) {
    const std::string range = "[" + std::to_string(e.begin) + ", " + std::to_string(e.end) + "]";
    if (e.end > data_size)
      throw Error(label + ": tensor '" + e.name + "': data_offsets " + range +
                  " lie beyond the data section (" + std::to_string(data_size) + " bytes)");
    if (e.begin < expected)
      throw Error(label + ": tensor '" + e.name + "': data_offsets " + range +
                  " overlap the previous tensor's bytes");
    if (e.begin > expected)
      throw Error(label + ": bytes " + std::to_string(expected) + ".." + std::to_string(e.begin) +
                  " of the data section belong to no tensor");
    expected = e.end;
  }
  if (expected != data_size)
    throw Error(label + ": the data section has " + std::to_string(data_size - expected) +
                " bytes after the last tensor");
  for (std::size_t i = 0; i < f.entries_.size(); ++i) f.by_name_[f.entries_[i].name] = i;
  return f;
}

SafetensorsFile SafetensorsFile::open(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw Error(path + ": cannot open: " + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    throw Error(path + ": cannot open: not a regular file");
  }
  const std::size_t size = std::size_t(st.st_size);
  void* p = nullptr;
  if (size > 0) {
    p = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (p == MAP_FAILED) {
      const std::string why = std::strerror(errno);
      ::close(fd);
      throw Error(path + ": cannot map the file: " + why);
    }
  }
  ::close(fd);  // the mapping stays valid without the descriptor
  std::shared_ptr<const void> mapping(p, Unmap{size});
  SafetensorsFile f = parse(static_cast<const std::uint8_t*>(p), size, path);
  f.mapping_ = std::move(mapping);
  return f;
}

const SafetensorsEntry* SafetensorsFile::find(const std::string& name) const {
  const auto it = by_name_.find(name);
  return it == by_name_.end() ? nullptr : &entries_[it->second];
}

Tensor SafetensorsFile::read(const SafetensorsEntry& e) const {
  if (!st::is_float_dtype(e.dtype))
    throw Error(label_ + ":" + e.name + ": dtype " + e.dtype +
                " is not a float type (F32, F16, BF16, F64)");
  Tensor t(e.shape);
  st::decode_floats(e.dtype, bytes(e), t.size(), t.data.data());
  return t;
}

Tensor SafetensorsFile::read(const std::string& name) const {
  const SafetensorsEntry* e = find(name);
  if (!e) throw Error(label_ + ":" + name + ": no such tensor; " + listing());
  return read(*e);
}

std::string SafetensorsFile::listing() const {
  if (entries_.empty()) return "the file has no tensors";
  std::vector<const SafetensorsEntry*> sorted;
  for (const auto& e : entries_) sorted.push_back(&e);
  std::sort(sorted.begin(), sorted.end(), [](auto* a, auto* b) { return a->name < b->name; });
  std::string s = "tensors in the file: ";
  const std::size_t shown = std::min<std::size_t>(sorted.size(), 12);
  for (std::size_t i = 0; i < shown; ++i)
    s += (i ? ", " : "") + sorted[i]->name + " " + shape_string(sorted[i]->shape) + " " +
         sorted[i]->dtype;
  if (shown < sorted.size()) s += ", ... (" + std::to_string(sorted.size() - shown) + " more)";
  return s;
}

bool is_safetensors_path(const std::string& path) {
  static const std::string ext = ".safetensors";
  if (path.size() <= ext.size()) return false;
  for (std::size_t i = 0; i < ext.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(path[path.size() - ext.size() + i])) != ext[i])
      return false;
  return true;
}

}  // namespace interplay::io
