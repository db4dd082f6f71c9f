#include "core/memory.hpp"

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "core/error.hpp"

namespace interplay {

std::size_t available_memory_bytes() {
  std::ifstream in("/proc/meminfo");
  std::string key;
  std::size_t kib = 0;
  std::string unit;
  while (in >> key >> kib >> unit)
    if (key == "MemAvailable:") return kib * 1024;
  const long pages = ::sysconf(_SC_PHYS_PAGES), page = ::sysconf(_SC_PAGE_SIZE);
  return pages > 0 && page > 0 ? std::size_t(pages) * std::size_t(page) : std::size_t(-1);
}

namespace {
std::string gigabytes(std::size_t bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g GB", double(bytes) / 1e9);
  return buf;
}
}  // namespace

void check_fits_in_memory(std::size_t bytes, const std::string& where) {
  const std::size_t available = available_memory_bytes();
  if (bytes > available)
    throw Error(at(where, "needs " + gigabytes(bytes) + ", but only " + gigabytes(available) +
                              " of memory are available"));
}

std::size_t checked_mul(std::size_t a, std::size_t b, const std::string& where) {
  std::size_t r;
  if (__builtin_mul_overflow(a, b, &r))
    throw Error(at(where, "size overflows: " + std::to_string(a) + " x " + std::to_string(b)));
  return r;
}

}  // namespace interplay
