#include "fuzz/fuzz_target.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <stdexcept>

namespace interplay::fuzz {

std::vector<FuzzTarget>& fuzz_targets() {
  static std::vector<FuzzTarget> targets;
  return targets;
}

std::string write_temporary(const std::uint8_t* data, std::size_t size, const std::string& suffix) {
  std::string pattern = "/tmp/interplay-fuzz-XXXXXX" + suffix;
  const int fd = ::mkstemps(pattern.data(), int(suffix.size()));
  if (fd < 0) throw std::runtime_error("fuzz: cannot create a temporary file");
  for (std::size_t done = 0; done < size;) {
    const ssize_t n = ::write(fd, data + done, size - done);
    if (n <= 0) {
      ::close(fd);
      throw std::runtime_error("fuzz: cannot write a temporary file");
    }
    done += std::size_t(n);
  }
  ::close(fd);
  return pattern;
}

void remove_temporary(const std::string& path) { std::remove(path.c_str()); }

}  // namespace interplay::fuzz
