#include "io/npy.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>
#include <memory>
#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "io/atomic_output.hpp"

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
              "npy.cpp reads and writes little-endian data with plain memcpy");

namespace interplay::io {
namespace {

using json = nlohmann::json;

constexpr char kMagic[] = "\x93NUMPY";
constexpr std::size_t kMagicLen = 6;

// The header is a Python dict literal; this reads the subset numpy writes
// (strings, True/False/None, integers, tuples, lists, dicts) into JSON.
class PyLiteralParser {
 public:
  PyLiteralParser(const std::string& text, const std::string& file) : s_(text), file_(file) {}

  json parse_all() {
    json v = value();
    skip_space();
    if (i_ != s_.size()) fail("unexpected text after the dict");
    return v;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    std::string near = s_.substr(std::min(i_, s_.size()), 20);
    for (char& c : near)
      if (c == '\n' || c == '\r') c = ' ';
    throw Error(file_ + ": malformed .npy header: " + what + " near '" + near + "'");
  }
  void skip_space() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r'))
      ++i_;
  }
  bool eat(char c) {
    skip_space();
    if (i_ < s_.size() && s_[i_] == c) return ++i_, true;
    return false;
  }
  bool eat_word(const char* w) {
    const std::size_t n = std::strlen(w);
    if (s_.compare(i_, n, w) != 0) return false;
    i_ += n;
    return true;
  }

  json value() {
    skip_space();
    if (i_ >= s_.size()) fail("unexpected end");
    // A real header nests two levels (dict > shape tuple); bound the recursion.
    struct Depth {
      int& d;
      explicit Depth(int& d_) : d(d_) { ++d; }
      ~Depth() { --d; }
    } depth(depth_);
    if (depth_ > kMaxDepth) fail("nested deeper than " + std::to_string(kMaxDepth) + " levels");
    const char c = s_[i_];
    if (c == '\'' || c == '"') return string();
    if (c == '{') return dict();
    if (c == '(') return sequence(')');
    if (c == '[') return sequence(']');
    if (c >= '0' && c <= '9') return integer();
    if (eat_word("True")) return true;
    if (eat_word("False")) return false;
    if (eat_word("None")) return nullptr;
    fail("unexpected character");
  }
  json string() {
    const char quote = s_[i_++];
    std::string out;
    while (i_ < s_.size() && s_[i_] != quote) {
      if (s_[i_] == '\\' && i_ + 1 < s_.size()) ++i_;
      out += s_[i_++];
    }
    if (i_ >= s_.size()) fail("unterminated string");
    ++i_;
    return out;
  }
  json integer() {
    std::uint64_t v = 0;
    while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9') {
      const std::uint64_t d = static_cast<std::uint64_t>(s_[i_++] - '0');
      if (v > (std::numeric_limits<std::uint64_t>::max() - d) / 10) fail("integer too large");
      v = v * 10 + d;
    }
    if (i_ < s_.size() && (s_[i_] == 'L' || s_[i_] == 'l')) ++i_;  // Python 2 long
    return v;
  }
  json sequence(char close) {
    ++i_;
    json out = json::array();
    while (!eat(close)) {
      out.push_back(value());
      if (!eat(',')) {
        if (!eat(close)) fail(std::string("expected ',' or '") + close + "'");
        break;
      }
    }
    return out;
  }
  json dict() {
    ++i_;
    json out = json::object();
    while (!eat('}')) {
      skip_space();
      if (i_ >= s_.size() || (s_[i_] != '\'' && s_[i_] != '"')) fail("expected a quoted key");
      const std::string key = string().get<std::string>();
      if (!eat(':')) fail("expected ':'");
      out[key] = value();
      if (!eat(',')) {
        if (!eat('}')) fail("expected ',' or '}'");
        break;
      }
    }
    return out;
  }

  static constexpr int kMaxDepth = 16;
  const std::string& s_;
  const std::string& file_;
  std::size_t i_ = 0;
  int depth_ = 0;
};

std::uint32_t little_endian(const std::string& b, std::size_t at, std::size_t n) {
  std::uint32_t v = 0;
  for (std::size_t k = 0; k < n; ++k)
    v |= static_cast<std::uint32_t>(static_cast<unsigned char>(b[at + k])) << (8 * k);
  return v;
}

// Bytes before the header dict, and the dict's length, for a version.
std::size_t prefix_length(int major) {
  return major == 1 ? 10 : 12;
}

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};
using FilePtr = std::unique_ptr<std::FILE, FileCloser>;

void read_exactly(std::FILE* f, void* dst, std::size_t n, const std::string& path) {
  if (n != 0 && std::fread(dst, 1, n, f) != n)
    throw Error(path + ": read error: " +
                (std::ferror(f) ? std::string(std::strerror(errno)) : "unexpected end of file"));
}

}  // namespace

NpyHeader parse_npy_header(const std::string& bytes, const std::string& file) {
  if (bytes.size() < 10)
    throw Error(file + ": not a .npy file (only " + std::to_string(bytes.size()) + " bytes)");
  if (bytes.compare(0, kMagicLen, kMagic, kMagicLen) != 0)
    throw Error(file + ": not a .npy file (it does not start with \\x93NUMPY)");
  NpyHeader h;
  h.major_version = static_cast<unsigned char>(bytes[6]);
  h.minor_version = static_cast<unsigned char>(bytes[7]);
  if (h.major_version < 1 || h.major_version > 3 || h.minor_version != 0)
    throw Error(file + ": unsupported .npy format version " + std::to_string(h.major_version) +
                "." + std::to_string(h.minor_version) + " (supported: 1.0, 2.0, 3.0)");
  const std::size_t prefix = prefix_length(h.major_version);
  if (bytes.size() < prefix) throw Error(file + ": truncated .npy header");
  const std::size_t dict_len = little_endian(bytes, 8, prefix - 8);
  if (bytes.size() < prefix + dict_len)
    throw Error(file + ": truncated .npy header (declares " + std::to_string(dict_len) +
                " bytes, file has " + std::to_string(bytes.size() - prefix) + ")");
  h.data_offset = prefix + dict_len;

  const json dict = PyLiteralParser(bytes.substr(prefix, dict_len), file).parse_all();
  if (!dict.is_object()) throw Error(file + ": malformed .npy header: not a dict");
  for (const char* key : {"descr", "fortran_order", "shape"})
    if (!dict.contains(key)) throw Error(file + ": malformed .npy header: no '" + key + "' key");
  if (dict.size() != 3)
    throw Error(file + ": malformed .npy header: unexpected keys in " + dict.dump());

  const json& descr = dict.at("descr");
  h.descr = descr.is_string() ? descr.get<std::string>() : descr.dump();
  if (!dict.at("fortran_order").is_boolean())
    throw Error(file + ": malformed .npy header: 'fortran_order' is not True/False");
  h.fortran_order = dict.at("fortran_order").get<bool>();
  const json& shape = dict.at("shape");
  if (!shape.is_array()) throw Error(file + ": malformed .npy header: 'shape' is not a tuple");
  for (const json& d : shape) {
    if (!d.is_number_unsigned())
      throw Error(file + ": malformed .npy header: shape " + shape.dump() + " is not all integers");
    h.shape.push_back(d.get<std::size_t>());
  }
  return h;
}

std::string npy_header_bytes(const Shape& shape) {
  std::string tuple = "(";
  for (std::size_t i = 0; i < shape.size(); ++i)
    tuple += (i ? ", " : "") + std::to_string(shape[i]);
  tuple += shape.size() == 1 ? ",)" : ")";
  std::string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': " + tuple + ", }";
  // numpy pads with spaces and a final newline so the data starts 64-aligned.
  const int major = dict.size() + 1 + 10 > 65535 ? 2 : 1;
  const std::size_t prefix = prefix_length(major);
  const std::size_t total = (prefix + dict.size() + 1 + 63) / 64 * 64;
  dict.append(total - prefix - dict.size() - 1, ' ');
  dict += '\n';
  std::string out(kMagic, kMagicLen);
  out += static_cast<char>(major);
  out += '\0';
  for (std::size_t k = 0; k < prefix - 8; ++k)
    out += static_cast<char>((dict.size() >> (8 * k)) & 0xff);
  return out + dict;
}

Tensor read_npy(const std::string& path) {
  check_regular_file(path);  // before open: opening a FIFO would block forever
  FilePtr f(std::fopen(path.c_str(), "rb"));
  if (!f) throw Error(path + ": cannot open: " + std::strerror(errno));
  struct stat st {};
  if (::fstat(fileno(f.get()), &st) != 0 || !S_ISREG(st.st_mode))
    throw Error(path + ": cannot read: not a regular file");
  const std::size_t file_size = static_cast<std::size_t>(st.st_size);

  // Magic + version + length first, then exactly the declared header.
  std::string head(std::min<std::size_t>(file_size, 12), '\0');
  read_exactly(f.get(), head.data(), head.size(), path);
  std::size_t header_size = head.size();
  if (head.size() >= 10 && head.compare(0, kMagicLen, kMagic, kMagicLen) == 0) {
    const int major = static_cast<unsigned char>(head[6]);
    const std::size_t prefix = prefix_length(major);
    if (head.size() >= prefix)
      header_size = std::min(file_size, prefix + little_endian(head, 8, prefix - 8));
  }
  if (header_size > head.size()) {
    const std::size_t have = head.size();
    head.resize(header_size);
    read_exactly(f.get(), head.data() + have, header_size - have, path);
  }
  const NpyHeader h = parse_npy_header(head, path);

  std::size_t item = 0;
  if (h.descr == "<f4") item = 4;
  if (h.descr == "<f8") item = 8;
  if (item == 0) {
    if (h.descr == ">f4" || h.descr == ">f8")
      throw Error(path + ": big-endian dtype '" + h.descr +
                  "' is not supported (save with arr.astype('<" + h.descr.substr(1) + "'))");
    throw Error(path + ": dtype '" + h.descr +
                "' is not supported (expected float32 '<f4' or float64 '<f8')");
  }
  if (h.fortran_order)
    throw Error(path + ": fortran_order=True is not supported (save np.ascontiguousarray(arr))");

  std::size_t count = 1;
  for (std::size_t d : h.shape) {
    if (d != 0 && count > std::numeric_limits<std::size_t>::max() / item / d)
      throw Error(path + ": shape " + shape_string(h.shape) + " is too large");
    count *= d;
  }
  const std::size_t data_bytes = count * item;
  if (file_size - h.data_offset < data_bytes)
    throw Error(path + ": truncated: shape " + shape_string(h.shape) + " of '" + h.descr +
                "' needs " + std::to_string(data_bytes) + " data bytes, the file has " +
                std::to_string(file_size - h.data_offset));

  Tensor t;
  t.shape = h.shape;
  t.data.resize(count);
  if (item == 4) {
    read_exactly(f.get(), t.data.data(), data_bytes, path);
  } else {
    // float64 -> float32 in slices, so the file is never held twice.
    std::vector<double> buf(std::min<std::size_t>(count, 1 << 16));
    for (std::size_t done = 0; done < count;) {
      const std::size_t n = std::min(buf.size(), count - done);
      read_exactly(f.get(), buf.data(), n * 8, path);
      for (std::size_t k = 0; k < n; ++k) t.data[done + k] = static_cast<float>(buf[k]);
      done += n;
    }
  }
  return t;
}

void write_npy(const std::string& path, const Tensor& t) {
  if (numel(t.shape) != t.data.size())
    throw Error(path + ": tensor of shape " + shape_string(t.shape) + " holds " +
                std::to_string(t.data.size()) + " values");
  const std::string header = npy_header_bytes(t.shape);
  AtomicOutput out(path);
  out.write(header.data(), header.size());
  out.write(t.data.data(), t.data.size() * sizeof(float));
  out.commit();
}

}  // namespace interplay::io
