// `interplay plot RESULTS.h5 [--figure NAME] [--output FILE.svg|.png|.pdf]`:
// draws the figures declared in the config stored in a results file (its
// "figures" section) with gnuplot, from the file alone.
#include <filesystem>
#include <iostream>

#include "cli/command.hpp"
#include "cli/stored_views.hpp"
#include "core/error.hpp"
#include "core/suggest.hpp"
#include "experiment/figure_render.hpp"
#include "experiment/pivot.hpp"
#include "experiment/result_file.hpp"

namespace interplay::cli {

int cmd_plot(const std::vector<std::string>& args) {
  po::options_description opts("plot options");
  opts.add_options()("results", po::value<std::string>(),
                     "results file written by `interplay run`")(
      "figure,F", po::value<std::string>(), "draw only this figure (default: all)")(
      "output,o", po::value<std::string>(),
      "with --figure: the file to write (.svg, .png or .pdf; default NAME.svg next to "
      "RESULTS.h5); without: the directory for every NAME.svg")(
      "format", po::value<std::string>()->default_value("svg"),
      "svg, png or pdf, for figures named after themselves");
  po::positional_options_description pos;
  pos.add("results", 1);
  po::variables_map vm;
  if (!parse_command_line("plot",
                          "RESULTS.h5 [--figure NAME] [--output FILE.svg|.png|.pdf]\n"
                          "  e.g. interplay plot results/model_order.h5 --figure m1_gap "
                          "--output results/m1_gap.svg",
                          args, opts, pos, vm))
    return 0;
  if (!vm.count("results")) throw Error("interplay plot: missing RESULTS.h5 (see --help)");
  const std::string path = vm["results"].as<std::string>();
  const std::string format = vm["format"].as<std::string>();
  if (format != "svg" && format != "png" && format != "pdf")
    throw Error("--format: expected svg, png or pdf, got '" + format + "'");

  const auto results = experiment::read_results(path);
  const auto figures =
      stored_views(results.info.config, path, "figures", "figure", experiment::parse_figures, vm);
  const std::filesystem::path results_dir = std::filesystem::path(path).parent_path();
  for (const auto& f : figures) {
    std::string output;
    if (vm.count("output") && vm.count("figure"))
      output = vm["output"].as<std::string>();
    else
      output = ((vm.count("output") ? std::filesystem::path(vm["output"].as<std::string>())
                                    : results_dir) /
                (f.name + "." + format))
                   .string();
    const auto spec = experiment::figure_table(f, results.table.names());
    experiment::draw_figure(f, experiment::make_pivot(spec, results.table), output);
    std::cout << output << "\n";
  }
  if (!results.info.complete)
    std::cerr << "interplay plot: note: " << path << " is incomplete (" << results.table.rows()
              << " of " << results.info.points_total << " points)\n";
  return 0;
}

}  // namespace interplay::cli
