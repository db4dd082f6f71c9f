#include "experiment/run_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/error.hpp"

namespace interplay::experiment {

RunLock::RunLock(const std::string& output) : path_(path_for(output)) {
  // The file at path_ may be unlinked by a finishing holder between our open
  // and flock; retry until the locked inode is the one the path names.
  for (int attempt = 0; attempt < 100; ++attempt) {
    fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0)
      throw Error(output + ": cannot create lock file '" + path_ + "': " + std::strerror(errno));
    if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
      const int err = errno;
      ::close(fd_);
      fd_ = -1;
      if (err == EWOULDBLOCK)
        throw Error(output + ": another `interplay run` is writing this file (lock '" + path_ +
                    "' is held)");
      throw Error(output + ": cannot lock '" + path_ + "': " + std::strerror(err));
    }
    struct stat held {
    }, named{};
    if (::fstat(fd_, &held) == 0 && ::stat(path_.c_str(), &named) == 0 &&
        held.st_ino == named.st_ino && held.st_dev == named.st_dev)
      return;
    ::close(fd_);
    fd_ = -1;
  }
  throw Error(output + ": cannot acquire lock '" + path_ + "'");
}

RunLock::~RunLock() {
  if (fd_ < 0) return;
  ::unlink(path_.c_str());
  ::close(fd_);
}

}  // namespace interplay::experiment
