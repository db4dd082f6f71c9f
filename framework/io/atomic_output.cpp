#include "io/atomic_output.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "core/error.hpp"

namespace interplay::io {
namespace {

std::string directory_of(const std::string& path) {
  const auto slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

std::string base_name(const std::string& path) {
  const auto slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string errno_text() {
  return std::strerror(errno);
}

mode_t default_file_mode() {
  // umask can only be read by setting it; do it once.
  static const mode_t mask = [] {
    const mode_t m = ::umask(0);
    ::umask(m);
    return m;
  }();
  return 0666 & ~mask;
}

void check_directory(const std::string& path) {
  const std::string dir = directory_of(path);
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0)
    throw Error(path + ": cannot write: directory '" + dir + "' " +
                (errno == ENOENT ? std::string("does not exist") : errno_text()));
  if (!S_ISDIR(st.st_mode)) throw Error(path + ": cannot write: '" + dir + "' is not a directory");
  if (::access(dir.c_str(), W_OK | X_OK) != 0)
    throw Error(path + ": cannot write: directory '" + dir + "' is not writable");
}

}  // namespace

void check_output_path(const std::string& path) {
  if (path.empty()) throw Error("output file name is empty");
  if (path.back() == '/') throw Error(path + ": output file name names a directory");
  check_directory(path);
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return;  // will be created
  if (!S_ISREG(st.st_mode)) throw Error(path + ": cannot write: exists and is not a regular file");
  if (::access(path.c_str(), W_OK) != 0) throw Error(path + ": cannot write: file is read-only");
}

AtomicOutput::AtomicOutput(std::string target) : target_(std::move(target)) {
  check_output_path(target_);
  std::string pattern = directory_of(target_) + "/." + base_name(target_) + ".tmp-XXXXXX";
  std::vector<char> buf(pattern.begin(), pattern.end());
  buf.push_back('\0');
  const int fd = ::mkstemp(buf.data());
  if (fd < 0) throw Error(target_ + ": cannot create a temporary file: " + errno_text());
  ::close(fd);
  temp_ = buf.data();
}

AtomicOutput::~AtomicOutput() {
  if (!committed_) std::remove(temp_.c_str());
}

void AtomicOutput::commit() {
  struct stat st {};
  const mode_t mode =
      ::stat(target_.c_str(), &st) == 0 ? (st.st_mode & 07777) : default_file_mode();
  if (::chmod(temp_.c_str(), mode) != 0 || std::rename(temp_.c_str(), target_.c_str()) != 0)
    throw Error(target_ + ": cannot move the finished output into place: " + errno_text());
  committed_ = true;
}

}  // namespace interplay::io
