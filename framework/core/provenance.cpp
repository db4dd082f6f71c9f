#include "core/provenance.hpp"

#include <omp.h>

#include <fstream>
#include <string>

// Weak: another BLAS links too, and then reports "unknown".
extern "C" char* openblas_get_config(void) __attribute__((weak));
extern "C" char* openblas_get_corename(void) __attribute__((weak));
extern "C" int openblas_get_num_threads(void) __attribute__((weak));

namespace interplay {
namespace {

std::string cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("model name", 0) == 0) {
      const auto colon = line.find(':');
      return colon == std::string::npos ? line : line.substr(colon + 2);
    }
  return "unknown";
}

}  // namespace

json numeric_provenance() {
  json j;
  j["blas"] = openblas_get_config ? std::string(openblas_get_config()) : "unknown (not OpenBLAS)";
  j["blas_core"] = openblas_get_corename ? std::string(openblas_get_corename()) : "unknown";
  j["blas_threads"] = openblas_get_num_threads ? openblas_get_num_threads() : -1;
  j["openmp_threads"] = omp_get_max_threads();
  j["cpu"] = cpu_model();
#ifdef INTERPLAY_NATIVE_BUILD
  j["native_build"] = true;
#else
  j["native_build"] = false;
#endif
  return j;
}

}  // namespace interplay
