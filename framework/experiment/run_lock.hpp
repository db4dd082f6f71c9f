#pragma once
// One writer per results file: an exclusive flock on "OUT.lock". A second run
// on the same output fails at once with a clear error; the kernel drops the
// lock when a process dies, so a killed run never blocks its resume.
#include <string>

namespace interplay::experiment {

class RunLock {
 public:
  explicit RunLock(const std::string& output);  // throws Error if held
  ~RunLock();                                   // removes the lock file
  RunLock(const RunLock&) = delete;
  RunLock& operator=(const RunLock&) = delete;

  static std::string path_for(const std::string& output) { return output + ".lock"; }

 private:
  std::string path_;
  int fd_ = -1;
};

}  // namespace interplay::experiment
