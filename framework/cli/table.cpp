// `interplay table RESULTS.h5 [--table NAME] [--format md|csv|latex]`: render
// the tables defined in the config stored in a results file, from the file
// alone.
#include <fstream>
#include <iostream>

#include "cli/command.hpp"
#include "cli/stored_views.hpp"
#include "core/error.hpp"
#include "core/suggest.hpp"
#include "experiment/pivot.hpp"
#include "experiment/result_file.hpp"
#include "experiment/table_render.hpp"
#include "io/atomic_output.hpp"

namespace interplay::cli {

int cmd_table(const std::vector<std::string>& args) {
  po::options_description opts("table options");
  opts.add_options()("results", po::value<std::string>(),
                     "results file written by `interplay run`")(
      "table,t", po::value<std::string>(), "render only this table (default: all)")(
      "format,f", po::value<std::string>()->default_value("md"), "md, csv or latex")(
      "output,o", po::value<std::string>(), "write to FILE instead of stdout");
  po::positional_options_description pos;
  pos.add("results", 1);
  po::variables_map vm;
  if (!parse_command_line("table",
                          "RESULTS.h5 [--table NAME] [--format md|csv|latex] [--output FILE]", args,
                          opts, pos, vm))
    return 0;
  if (!vm.count("results")) throw Error("interplay table: missing RESULTS.h5 (see --help)");
  const std::string path = vm["results"].as<std::string>();
  const auto format = experiment::parse_table_format(vm["format"].as<std::string>());
  if (vm.count("output")) io::check_output_path(vm["output"].as<std::string>());

  const auto results = experiment::read_results(path);
  const auto tables =
      stored_views(results.info.config, path, "tables", "table", experiment::parse_tables, vm);
  std::string out;
  for (std::size_t i = 0; i < tables.size(); ++i) {
    try {
      experiment::check_table_columns(tables[i], experiment::column_defs(results.table));
    } catch (const Error& e) {
      throw Error(path + ": " + e.what());
    }
    const auto pivot = experiment::make_pivot(tables[i], results.table);
    const std::string body = experiment::render_table(tables[i], pivot, format);
    if (tables.size() == 1) {
      out += body;
      continue;
    }
    if (i) out += "\n";
    if (format == experiment::TableFormat::Markdown) out += "### " + tables[i].name + "\n\n";
    if (format == experiment::TableFormat::Csv) out += "# " + tables[i].name + "\n";
    out += body;
  }
  if (!results.info.complete)
    std::cerr << "interplay table: note: " << path << " is incomplete (" << results.table.rows()
              << " of " << results.info.points_total << " points)\n";
  if (!vm.count("output")) {
    std::cout << out;
    return 0;
  }
  io::check_output_not_input(vm["output"].as<std::string>(), {path});
  io::write_file_atomically(vm["output"].as<std::string>(), out);
  return 0;
}

}  // namespace interplay::cli
