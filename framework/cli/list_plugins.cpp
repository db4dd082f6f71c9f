// `interplay list-plugins [--json]`: everything the registries know.
#include <iomanip>
#include <iostream>
#include <type_traits>

#include "cli/command.hpp"
#include "core/registry.hpp"

namespace interplay::cli {
namespace {

// Quantizers and sparsifiers describe themselves (at their defaults here);
// metrics have no structure to describe.
template <class Base>
constexpr bool kDescribed = !std::is_same_v<Base, Metric>;

template <class Base>
json registry_json(const Registry<Base>& r) {
  json plugins = json::array();
  for (const auto& [name, info] : r.plugins()) {
    json params = json::array();
    for (const auto& p : info.params) params.push_back(p.to_json());
    json entry{{"name", name}, {"summary", info.summary}, {"params", params}};
    if constexpr (kDescribed<Base>) entry["description"] = r.describe(name).to_json();
    plugins.push_back(std::move(entry));
  }
  return plugins;
}

template <class Base>
void print_registry(const Registry<Base>& r, const std::string& title) {
  std::cout << title << "\n";
  for (const auto& [name, info] : r.plugins()) {
    std::cout << "  " << name << " - " << info.summary << "\n";
    if constexpr (kDescribed<Base>) std::cout << "      (" << r.describe(name).text() << ")\n";
    for (const auto& p : info.params) {
      std::cout << "      " << std::left << std::setw(15) << p.name << std::setw(8)
                << param_type_name(p.type) << "default " << std::setw(16) << p.default_value.dump();
      const std::string range = p.range_string();
      if (!range.empty()) std::cout << "[" << range << "] ";
      std::cout << p.doc << "\n";
    }
  }
}

}  // namespace

int cmd_list_plugins(const std::vector<std::string>& args) {
  po::options_description opts("list-plugins options");
  opts.add_options()("json", "print machine-readable JSON");
  po::variables_map vm;
  if (!parse_command_line("list-plugins", "[--json]", args, opts, {}, vm)) return 0;

  if (vm.count("json")) {
    json presets = json::array();
    for (const auto& [name, p] : quantizers().presets())
      presets.push_back({{"name", name},
                         {"plugin", p.plugin},
                         {"params", p.params},
                         {"summary", p.summary},
                         {"description", quantizers().describe(name).to_json()}});
    json out{{"sparsifiers", registry_json(sparsifiers())},
             {"quantizers", registry_json(quantizers())},
             {"quantizer_presets", presets},
             {"metrics", registry_json(metrics())}};
    std::cout << out.dump(2) << "\n";
    return 0;
  }
  print_registry(sparsifiers(), "sparsifiers:");
  std::cout << "\n";
  print_registry(quantizers(), "quantizers:");
  std::cout << "\nquantizer presets (override any parameter in the step):\n";
  for (const auto& [name, p] : quantizers().presets())
    std::cout << "  " << std::left << std::setw(12) << name << " = " << p.plugin << " "
              << p.params.dump() << "  " << p.summary << "\n";
  std::cout << "\n";
  print_registry(metrics(), "metrics:");
  return 0;
}

}  // namespace interplay::cli
