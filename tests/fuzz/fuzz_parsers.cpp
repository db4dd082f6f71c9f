// The fuzz targets of interplay's own parsers (see fuzz_target.hpp).
#include <string>

#include "core/error.hpp"
#include "core/json_text.hpp"
#include "core/pipeline.hpp"
#include "experiment/config.hpp"
#include "experiment/journal.hpp"
#include "experiment/sweep.hpp"
#include "fuzz/fuzz_target.hpp"
#include "io/hdf5.hpp"
#include "io/idx.hpp"
#include "io/npy.hpp"

namespace {

using interplay::Error;

std::string text_of(const std::uint8_t* data, std::size_t size) {
  return std::string(reinterpret_cast<const char*>(data), size);
}

// Runs `parse` on the bytes saved as a temporary file with `suffix`.
template <class F>
void on_file(const std::uint8_t* data, std::size_t size, const char* suffix, F parse) {
  const std::string path = interplay::fuzz::write_temporary(data, size, suffix);
  try {
    parse(path);
  } catch (const Error&) {
  }
  interplay::fuzz::remove_temporary(path);
}

}  // namespace

INTERPLAY_FUZZ_TARGET(npy) {
  on_file(data, size, ".npy", [](const std::string& p) { (void)interplay::io::read_npy(p); });
}

INTERPLAY_FUZZ_TARGET(hdf5) {
  on_file(data, size, ".h5", [](const std::string& p) {
    namespace h5 = interplay::io::h5;
    if (!h5::is_hdf5_file(p)) return;
    const auto f = h5::File::open(p);
    for (const auto& d : f.list_datasets()) {
      try {
        (void)h5::read_tensor(f, d.path);
      } catch (const Error&) {
      }
    }
  });
}

INTERPLAY_FUZZ_TARGET(idx) {
  on_file(data, size, ".idx", [](const std::string& p) { (void)interplay::read_idx(p); });
}

INTERPLAY_FUZZ_TARGET(pipeline) {
  try {
    (void)interplay::Pipeline::from_json(interplay::parse_json(text_of(data, size), "pipeline"));
  } catch (const Error&) {
  }
}

INTERPLAY_FUZZ_TARGET(config) {
  try {
    const auto j = interplay::parse_json(text_of(data, size), "config.json");
    const auto cfg = interplay::experiment::parse_config(j, "config.json", "/nonexistent");
    (void)interplay::experiment::expand_points(cfg);
  } catch (const Error&) {
  }
}

INTERPLAY_FUZZ_TARGET(journal) {
  on_file(data, size, ".journal",
          [](const std::string& p) { (void)interplay::experiment::Journal::read(p); });
}
