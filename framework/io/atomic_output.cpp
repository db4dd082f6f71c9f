#include "io/atomic_output.hpp"

#include <fcntl.h>
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
  fd_ = ::mkstemp(buf.data());
  if (fd_ < 0) throw Error(target_ + ": cannot create a temporary file: " + errno_text());
  temp_ = buf.data();
}

AtomicOutput::~AtomicOutput() {
  if (fd_ >= 0) ::close(fd_);
  if (!committed_) std::remove(temp_.c_str());
}

void AtomicOutput::write(const void* data, std::size_t size) {
  const char* p = static_cast<const char*>(data);
  while (size) {
    const ssize_t n = ::write(fd_, p, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw Error(target_ + ": cannot write: " + (n < 0 ? errno_text() : "no progress"));
    p += n, size -= std::size_t(n);
  }
}

void AtomicOutput::commit() {
  // Data first, then the rename, then the directory entry: each is durable
  // before the next step makes it visible.
  if (::fsync(fd_) != 0) throw Error(target_ + ": cannot write: " + errno_text());
  const int fd = fd_;
  fd_ = -1;
  if (::close(fd) != 0) throw Error(target_ + ": cannot write: " + errno_text());
  struct stat st {};
  const mode_t mode =
      ::stat(target_.c_str(), &st) == 0 ? (st.st_mode & 07777) : default_file_mode();
  if (::chmod(temp_.c_str(), mode) != 0 || std::rename(temp_.c_str(), target_.c_str()) != 0)
    throw Error(target_ + ": cannot move the finished output into place: " + errno_text());
  committed_ = true;
  const int dir = ::open(directory_of(target_).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);  // best effort: some file systems refuse fsync on directories
    ::close(dir);
  }
}

void check_output_not_input(const std::string& output, const std::vector<std::string>& inputs) {
  struct stat out {};
  if (::stat(output.c_str(), &out) != 0) return;
  for (const auto& in : inputs) {
    struct stat st {};
    if (!in.empty() && ::stat(in.c_str(), &st) == 0 && st.st_dev == out.st_dev &&
        st.st_ino == out.st_ino)
      throw Error(output + ": is also an input ('" + in +
                  "'); refusing to overwrite it: write to another file");
  }
}

void check_regular_file(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) throw Error(path + ": cannot open: " + errno_text());
  if (!S_ISREG(st.st_mode))
    throw Error(path + ": cannot read: not a regular file" +
                (S_ISDIR(st.st_mode) ? std::string(" (a directory)")
                 : S_ISFIFO(st.st_mode) ? std::string(" (a FIFO)")
                                        : std::string()));
}

void write_file_atomically(const std::string& path, const std::string& bytes) {
  AtomicOutput out(path);
  out.write(bytes.data(), bytes.size());
  out.commit();
}

}  // namespace interplay::io
