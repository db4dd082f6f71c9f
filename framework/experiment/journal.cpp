#include "experiment/journal.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include "core/error.hpp"
#include "core/json_text.hpp"

namespace interplay::experiment {
namespace {

std::string hex_bits(double v) {
  std::uint64_t u;
  std::memcpy(&u, &v, sizeof u);
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(u));
  return buf;
}

double from_hex_bits(const std::string& s) {
  if (s.size() != 16 || s.find_first_not_of("0123456789abcdef") != std::string::npos)
    throw Error("bad value '" + s + "'");
  const std::uint64_t u = std::strtoull(s.c_str(), nullptr, 16);
  double v;
  std::memcpy(&v, &u, sizeof v);
  return v;
}

std::string entry_line(const JournalEntry& e) {
  std::string line = "{\"id\":\"" + e.id + "\",\"v\":[";
  for (std::size_t i = 0; i < e.values.size(); ++i)
    line += (i ? ",\"" : "\"") + hex_bits(e.values[i]) + "\"";
  return line + "]}\n";
}

void write_all(int fd, const std::string& data, const std::string& path) {
  std::size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw Error(path + ": write failed: " + std::strerror(errno));
    }
    done += std::size_t(n);
  }
}

}  // namespace

JournalContents Journal::read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path + ": cannot read journal");
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string text = ss.str();
  JournalContents out;
  std::size_t pos = 0, line_no = 0, columns = 0;
  while (pos < text.size()) {
    const std::size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) break;  // torn tail: the write never finished
    const std::string line = text.substr(pos, nl - pos);
    pos = nl + 1;
    ++line_no;
    try {
      const json j = parse_json(line, "");
      if (line_no == 1) {
        if (!j.is_object() || !j.contains("interplay_journal") || !j.contains("columns") ||
            !j["columns"].is_array())
          throw Error("not an interplay journal header");
        out.header = j;
        columns = j["columns"].size();
        if (const auto r = j.find("replicates"); r != j.end()) {
          // Model points append count test-set replicates per named column.
          if (!r->is_object() || !r->contains("columns") || !(*r)["columns"].is_array() ||
              !r->contains("count") || !(*r)["count"].is_number_unsigned())
            throw Error("\"replicates\" must be {\"columns\": [...], \"count\": N}");
          columns += (*r)["columns"].size() * (*r)["count"].get<std::size_t>();
        }
        continue;
      }
      if (!j.is_object() || !j.contains("id") || !j["id"].is_string() || !j.contains("v") ||
          !j["v"].is_array())
        throw Error("expected {\"id\": STRING, \"v\": [...]}");
      if (j["v"].size() != columns)
        throw Error(std::to_string(j["v"].size()) + " values, the header announces " +
                    std::to_string(columns));
      JournalEntry e;
      e.id = j["id"].get<std::string>();
      e.line = line_no;
      for (const auto& v : j["v"]) {
        if (!v.is_string()) throw Error("a value is not a hex string");
        e.values.push_back(from_hex_bits(v.get<std::string>()));
      }
      out.entries.push_back(std::move(e));
    } catch (const Error& e) {
      throw Error(path + ":" + std::to_string(line_no) + ": corrupt journal line (" + e.what() +
                  "); to go on, delete that line (its point runs again) or start over with "
                  "--force");
    }
  }
  if (out.header.is_null())
    throw Error(path + ": empty or torn journal header (start over with --force)");
  return out;
}

Journal::Journal(const std::string& path, const json& header,
                 const std::vector<JournalEntry>& entries)
    : path_(path) {
  const std::string tmp = path + ".tmp";
  std::string data = header.dump() + "\n";
  for (const auto& e : entries) data += entry_line(e);
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw Error(tmp + ": cannot create journal: " + std::strerror(errno));
  try {
    write_all(fd, data, tmp);
    if (::fsync(fd) != 0) throw Error(tmp + ": fsync failed: " + std::strerror(errno));
  } catch (...) {
    ::close(fd);
    ::unlink(tmp.c_str());
    throw;
  }
  ::close(fd);
  if (std::rename(tmp.c_str(), path.c_str()) != 0)
    throw Error(path + ": cannot move journal into place: " + std::strerror(errno));
  fd_ = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  if (fd_ < 0) throw Error(path + ": cannot open journal: " + std::strerror(errno));
}

Journal::~Journal() {
  if (fd_ >= 0) ::close(fd_);
}

void Journal::append(const std::vector<JournalEntry>& entries) {
  if (entries.empty()) return;
  std::string data;
  for (const auto& e : entries) data += entry_line(e);
  write_all(fd_, data, path_);
  if (::fdatasync(fd_) != 0) throw Error(path_ + ": fdatasync failed: " + std::strerror(errno));
}

void Journal::remove() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  ::unlink(path_.c_str());
}

}  // namespace interplay::experiment
