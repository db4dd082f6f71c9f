#pragma once
// Sizes from outside (a shape in a config, a header of a file) are checked
// against the machine before anything is allocated, so hostile or mistaken
// input gets a one-line error instead of std::bad_alloc or the OOM killer.
#include <cstddef>
#include <string>

namespace interplay {

// MemAvailable from /proc/meminfo (physical memory where that is missing).
std::size_t available_memory_bytes();

// Throws Error("WHERE: needs N GB ... only M GB of memory are available")
// when `bytes` exceed the available memory.
void check_fits_in_memory(std::size_t bytes, const std::string& where);

// a * b, or an Error naming `where` when the product does not fit in size_t.
std::size_t checked_mul(std::size_t a, std::size_t b, const std::string& where);

}  // namespace interplay
