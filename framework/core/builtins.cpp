// Fills the registries from the X-macro lists. Registration is explicit (not
// static initialisers) so nothing is dropped by the linker and a failing
// registration is reported as an ordinary error at first use.
#include "calibration/obs.hpp"
#include "core/registry.hpp"

namespace interplay {

#define INTERPLAY_PLUGIN(fn) void fn(Registry<Quantizer>&);
#include "quantizers/quantizers.def"
#undef INTERPLAY_PLUGIN
#define INTERPLAY_PLUGIN(fn) void fn(Registry<Sparsifier>&);
#include "sparsifiers/sparsifiers.def"
#undef INTERPLAY_PLUGIN
#define INTERPLAY_PLUGIN(fn) void fn(Registry<Metric>&);
#include "metrics/metrics.def"
#undef INTERPLAY_PLUGIN

Registry<Quantizer>& quantizers() {
  static Registry<Quantizer>* r = [] {
    auto* reg = new Registry<Quantizer>("quantizer");
#define INTERPLAY_PLUGIN(fn) fn(*reg);
#include "quantizers/quantizers.def"
#undef INTERPLAY_PLUGIN
    // Format and solver are orthogonal: every quantizer takes the solver's parameters.
    reg->append_params(calib::solver_param_specs());
#define INTERPLAY_PRESET(name, plugin, params, summary) \
  reg->add_preset(Preset{#name, plugin, summary, json::parse(params)});
#include "quantizers/presets.def"
#undef INTERPLAY_PRESET
    return reg;
  }();
  return *r;
}

Registry<Sparsifier>& sparsifiers() {
  static Registry<Sparsifier>* r = [] {
    auto* reg = new Registry<Sparsifier>("sparsifier");
#define INTERPLAY_PLUGIN(fn) fn(*reg);
#include "sparsifiers/sparsifiers.def"
#undef INTERPLAY_PLUGIN
    return reg;
  }();
  return *r;
}

Registry<Metric>& metrics() {
  static Registry<Metric>* r = [] {
    auto* reg = new Registry<Metric>("metric");
#define INTERPLAY_PLUGIN(fn) fn(*reg);
#include "metrics/metrics.def"
#undef INTERPLAY_PLUGIN
    return reg;
  }();
  return *r;
}

}  // namespace interplay
