#pragma once
// Draws a figure with gnuplot: interplay writes the numbers (FILE.dat) and a
// gnuplot script (FILE.gp) next to the output and runs `gnuplot FILE.gp`,
// which writes FILE.svg / .png / .pdf (terminal from the extension). Both
// files are kept, so a figure can be restyled by editing its script.
#include <string>

#include "experiment/figure_spec.hpp"
#include "experiment/pivot.hpp"

namespace interplay::experiment {

// The series of a figure as drawn: mean and interval per (series, x).
struct FigureData {
  std::vector<std::string> x_labels, series;
  std::vector<std::vector<double>> mean, lo, hi;  // [series][x]; NaN = no point / no interval
};

FigureData figure_data(const FigureSpec& f, const Pivot& p);

std::string gnuplot_data(const FigureSpec& f, const FigureData& d);
// `data_file` as the script refers to it; `output` decides the terminal.
std::string gnuplot_script(const FigureSpec& f, const FigureData& d, const std::string& data_file,
                           const std::string& output);

// Writes OUTPUT's .dat and .gp, runs gnuplot; errors name the output and
// gnuplot's first error line.
void draw_figure(const FigureSpec& f, const Pivot& p, const std::string& output);

}  // namespace interplay::experiment
