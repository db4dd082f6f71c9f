#pragma once
// Output files appear complete or not at all. A writer fills a temporary file
// in the target's own directory (same file system, so the final rename is
// atomic) and commit() renames it into place; a temporary that was never
// committed (an exception, an early return) is removed by the destructor.
#include <cstddef>
#include <string>
#include <vector>

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

  // Appends bytes to the temporary; a short write (a full disk, an I/O
  // error) is an Error naming the target and the reason.
  void write(const void* data, std::size_t size);

  // Syncs the temporary, renames it onto the target and syncs the directory,
  // so that a crash after commit() returns cannot lose the file. A replaced file keeps its
  // permissions; a new one gets the usual 0666 & ~umask.
  void commit();

 private:
  std::string target_, temp_;
  int fd_ = -1;
  bool committed_ = false;
};

// Throws Error unless `output` names a different file from every one of
// `inputs` (compared by device and inode, so links and "./x" are caught):
// a command must never replace the file it reads. Missing files never match.
void check_output_not_input(const std::string& output, const std::vector<std::string>& inputs);

// Throws Error naming `path` unless it exists and is a regular file (not a
// directory, FIFO or device: reading those blocks or makes no sense).
void check_regular_file(const std::string& path);

// The whole of `bytes` as `path`, atomically (AtomicOutput + write + commit).
void write_file_atomically(const std::string& path, const std::string& bytes);

// Throws Error naming `path` unless it could be created or replaced: its
// directory exists and is writable, and an existing `path` is a writable
// regular file. Lets commands fail before they compute or write anything.
void check_output_path(const std::string& path);

}  // namespace interplay::io
