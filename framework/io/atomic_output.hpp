#pragma once
// Output files appear complete or not at all. A writer fills a temporary file
// in the target's own directory (same file system, so the final rename is
// atomic) and commit() renames it into place; a temporary that was never
// committed (an exception, an early return) is removed by the destructor.
#include <string>

namespace interplay::io {

class AtomicOutput {
 public:
  // Creates an empty temporary next to `target`; throws Error naming the
  // target when its directory is missing or not writable.
  explicit AtomicOutput(std::string target);
  ~AtomicOutput();
  AtomicOutput(const AtomicOutput&) = delete;
  AtomicOutput& operator=(const AtomicOutput&) = delete;

  const std::string& target() const { return target_; }
  const std::string& temp_path() const { return temp_; }

  // Renames the temporary onto the target. A replaced file keeps its
  // permissions; a new one gets the usual 0666 & ~umask.
  void commit();

 private:
  std::string target_, temp_;
  bool committed_ = false;
};

// Throws Error naming `path` unless it could be created or replaced: its
// directory exists and is writable, and an existing `path` is a writable
// regular file. Lets commands fail before they compute or write anything.
void check_output_path(const std::string& path);

}  // namespace interplay::io
