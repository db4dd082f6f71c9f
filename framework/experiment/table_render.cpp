#include "experiment/table_render.hpp"

#include <algorithm>
#include <sstream>

#include "core/error.hpp"
#include "core/suggest.hpp"
#include "experiment/cell_interval.hpp"
#include "experiment/result_table.hpp"

namespace interplay::experiment {
namespace {

bool has_style(const std::vector<std::string>& styles, const char* s) {
  return std::find(styles.begin(), styles.end(), s) != styles.end();
}

std::string join(const std::vector<std::string>& parts, const std::string& sep,
                 std::size_t from = 0) {
  std::string s;
  for (std::size_t i = from; i < parts.size(); ++i) s += (i > from ? sep : "") + parts[i];
  return s;
}

std::string rule_text(const Highlight& h) {
  std::string what = h.values.empty() ? "value" : join(h.values, ", ");
  if (h.when == Highlight::When::Compare && h.on_interval) {
    const std::string t = shortest_number(h.threshold);
    if (h.op == ">" || h.op == ">=") return "95 % interval of " + what + " entirely above " + t;
    if (h.op == "<" || h.op == "<=") return "95 % interval of " + what + " entirely below " + t;
    return "95 % interval of " + what + (h.op == "==" ? " contains " : " excludes ") + t;
  }
  if (h.when == Highlight::When::Compare)
    return what + " " + h.op + " " + shortest_number(h.threshold);
  return std::string(h.when == Highlight::When::Max ? "largest " : "smallest ") + what +
         " in its " + (h.per_row ? "row" : "column");
}

// ---- Markdown ----

std::size_t display_width(const std::string& s) {
  std::size_t w = 0;
  for (unsigned char c : s) w += (c & 0xC0) != 0x80;
  return w;
}

std::string md_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '|') out += '\\';
    out += c;
  }
  return out;
}

// The number shown in a cell: "mean ± half-width" with aggregate mean_ci.
std::string cell_text(const TableSpec& spec, const Pivot& p, std::size_t r, std::size_t d) {
  const NumberFormat& f = spec.format_for(p.column_value[d]);
  return p.intervals.empty() ? f.format(p.cells[r][d])
                             : interval_text(f, p.cells[r][d], p.intervals[r][d]);
}

std::string md_cell(const std::string& text, const std::vector<std::string>& styles) {
  std::string s = text;
  if (has_style(styles, "italic")) s = "*" + s + "*";
  if (has_style(styles, "bold")) s = "**" + s + "**";
  if (has_style(styles, "mark")) s += "\u2020";
  return s;
}

std::string render_markdown(const TableSpec& spec, const Pivot& p) {
  std::vector<std::vector<std::string>> grid;
  std::vector<std::string> header = p.row_headers;
  for (const auto& levels : p.column_headers) header.push_back(join(levels, " / "));
  grid.push_back(header);
  for (std::size_t r = 0; r < p.row_keys.size(); ++r) {
    std::vector<std::string> line = p.row_keys[r];
    for (std::size_t d = 0; d < p.cells[r].size(); ++d)
      line.push_back(md_cell(cell_text(spec, p, r, d), p.styles[r][d]));
    grid.push_back(line);
  }
  for (auto& line : grid)
    for (auto& c : line) c = md_escape(c);
  std::vector<std::size_t> width(header.size(), 3);
  for (const auto& line : grid)
    for (std::size_t c = 0; c < line.size(); ++c)
      width[c] = std::max(width[c], display_width(line[c]));
  const std::size_t nkeys = p.row_headers.size();
  std::ostringstream os;
  auto emit = [&](const std::vector<std::string>& line) {
    os << "|";
    for (std::size_t c = 0; c < line.size(); ++c) {
      const std::string pad(width[c] - display_width(line[c]), ' ');
      os << " " << (c < nkeys ? line[c] + pad : pad + line[c]) << " |";
    }
    os << "\n";
  };
  if (!spec.title.empty()) os << "**" << spec.title << "**\n\n";
  emit(grid[0]);
  os << "|";
  for (std::size_t c = 0; c < width.size(); ++c)
    os << (c < nkeys ? " " + std::string(width[c], '-') + " |"
                     : " " + std::string(width[c] - 1, '-') + ": |");
  os << "\n";
  for (std::size_t i = 1; i < grid.size(); ++i) emit(grid[i]);
  std::vector<std::string> legend;
  for (const auto& h : spec.highlights) {
    const std::string mark = h.style == "bold"     ? "**bold**"
                             : h.style == "italic" ? "*italic*"
                                                   : "\u2020";
    legend.push_back(mark + ": " + rule_text(h));
  }
  if (!legend.empty()) os << "\n" << join(legend, "; ") << "\n";
  return os.str();
}

// ---- CSV ----

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string render_csv(const Pivot& p) {
  std::ostringstream os;
  std::vector<std::string> header = p.row_headers;
  // With mean_ci, every value column is followed by its interval bounds.
  const bool ci = !p.intervals.empty();
  for (const auto& levels : p.column_headers) {
    const std::string name = join(levels, " / ");
    header.push_back(name);
    if (ci) header.push_back(name + " (95% lo)"), header.push_back(name + " (95% hi)");
  }
  for (std::size_t c = 0; c < header.size(); ++c) os << (c ? "," : "") << csv_field(header[c]);
  os << "\n";
  for (std::size_t r = 0; r < p.row_keys.size(); ++r) {
    std::vector<std::string> line = p.row_keys[r];
    for (std::size_t d = 0; d < p.cells[r].size(); ++d) {
      line.push_back(shortest_number(p.cells[r][d]));
      if (ci) {
        line.push_back(shortest_number(p.intervals[r][d].first));
        line.push_back(shortest_number(p.intervals[r][d].second));
      }
    }
    for (std::size_t c = 0; c < line.size(); ++c) os << (c ? "," : "") << csv_field(line[c]);
    os << "\n";
  }
  return os.str();
}

// ---- LaTeX (booktabs) ----

std::string tex_escape(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '-' && i + 1 < s.size() && s[i + 1] == '>') {
      out += "$\\to$";
      ++i;
      continue;
    }
    switch (c) {
      case '&':
      case '%':
      case '$':
      case '#':
      case '_':
      case '{':
      case '}':
        out += '\\';
        out += c;
        break;
      case '~':
        out += "\\textasciitilde{}";
        break;
      case '^':
        out += "\\textasciicircum{}";
        break;
      case '\\':
        out += "\\textbackslash{}";
        break;
      case '<':
        out += "$<$";
        break;
      case '>':
        out += "$>$";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string tex_cell(const std::string& text, const std::vector<std::string>& styles) {
  std::string s = tex_escape(text);
  const std::size_t pm = s.find("±");
  if (pm != std::string::npos) s.replace(pm, std::string("±").size(), "$\\pm$");
  if (has_style(styles, "italic")) s = "\\textit{" + s + "}";
  if (has_style(styles, "bold")) s = "\\textbf{" + s + "}";
  if (has_style(styles, "mark")) s += "$^\\dagger$";
  return s;
}

std::string render_latex(const TableSpec& spec, const Pivot& p) {
  const std::size_t nkeys = p.row_headers.size(), ndata = p.column_headers.size();
  std::ostringstream os;
  os << "\\begin{table}[t]\n\\centering\n";
  std::string caption = spec.title;
  for (const auto& h : spec.highlights) {
    // The mark is LaTeX already; only the words around it are escaped.
    const std::string mark = h.style == "bold"     ? "bold"
                             : h.style == "italic" ? "italic"
                                                   : "$\\dagger$";
    caption += std::string(caption.empty() ? "" : " ") + "(" + mark +
               tex_escape(": " + rule_text(h)) + ")";
  }
  if (!caption.empty()) os << "\\caption{" << caption << "}\n";
  os << "\\label{tab:" << spec.name << "}\n";
  os << "\\begin{tabular}{" << std::string(nkeys, 'l') << std::string(ndata, 'r')
     << "}\n\\toprule\n";
  const bool two_level = std::any_of(p.column_headers.begin(), p.column_headers.end(),
                                     [](const auto& l) { return l.size() > 1; });
  if (two_level) {
    // Top level: runs of equal first parts, spanned with \multicolumn and \cmidrule.
    std::string top(nkeys > 1 ? std::string(nkeys - 1, '&') : ""), rules;
    for (std::size_t d = 0; d < ndata;) {
      std::size_t e = d + 1;
      while (e < ndata && p.column_headers[e][0] == p.column_headers[d][0]) ++e;
      top += " & \\multicolumn{" + std::to_string(e - d) + "}{c}{" +
             tex_escape(p.column_headers[d][0]) + "}";
      rules +=
          "\\cmidrule(lr){" + std::to_string(nkeys + d + 1) + "-" + std::to_string(nkeys + e) + "}";
      d = e;
    }
    os << top << " \\\\\n" << rules << "\n";
  }
  std::vector<std::string> header;
  for (const auto& h : p.row_headers) header.push_back(tex_escape(h));
  for (const auto& levels : p.column_headers)
    header.push_back(tex_escape(join(levels, " / ", two_level ? 1 : 0)));
  os << join(header, " & ") << " \\\\\n\\midrule\n";
  for (std::size_t r = 0; r < p.row_keys.size(); ++r) {
    std::vector<std::string> line;
    for (const auto& k : p.row_keys[r]) line.push_back(tex_escape(k));
    for (std::size_t d = 0; d < ndata; ++d)
      line.push_back(tex_cell(cell_text(spec, p, r, d), p.styles[r][d]));
    os << join(line, " & ") << " \\\\\n";
  }
  os << "\\bottomrule\n\\end{tabular}\n\\end{table}\n";
  return os.str();
}

}  // namespace

TableFormat parse_table_format(const std::string& name) {
  if (name == "md" || name == "markdown") return TableFormat::Markdown;
  if (name == "csv") return TableFormat::Csv;
  if (name == "latex" || name == "tex") return TableFormat::Latex;
  throw Error("--format: " + unknown_name_message("table format", name, {"md", "csv", "latex"}));
}

std::string render_table(const TableSpec& spec, const Pivot& pivot, TableFormat format) {
  switch (format) {
    case TableFormat::Markdown:
      return render_markdown(spec, pivot);
    case TableFormat::Csv:
      return render_csv(pivot);
    case TableFormat::Latex:
      return render_latex(spec, pivot);
  }
  return "";
}

}  // namespace interplay::experiment
