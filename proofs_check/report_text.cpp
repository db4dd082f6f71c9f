// Console summary and the small formatting helpers shared by the reports.
#include <iomanip>
#include <map>
#include <ostream>
#include <sstream>

#include "proofs_check/predicates.hpp"
#include "proofs_check/report.hpp"

namespace interplay::proofs {

std::string inline_values(const Tensor& t, std::size_t max_inline) {
  if (t.size() > max_inline) return shape_string(t.shape) + " tensor";
  std::ostringstream os;
  os << std::setprecision(9);
  const std::size_t cols = last_axis(t);
  os << "[";
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (i % cols == 0)
      os << (i ? "], [" : "[");
    else
      os << ", ";
    os << t.data[i];
  }
  os << "]]";
  return os.str();
}

std::vector<const Counterexample*> all_counterexamples(const RunReport& r) {
  std::vector<const Counterexample*> out;
  for (const auto& s : r.statements)
    for (const auto& c : s.configs)
      if (c.counterexample) out.push_back(&*c.counterexample);
  return out;
}

std::string label_text(const std::vector<std::string>& failing) {
  if (failing.empty()) return "inside";
  std::string s = "outside:";
  for (const auto& f : failing) s += " " + f;
  return s;
}

std::vector<const Counterexample*> smallest_counterexamples(const StatementReport& s) {
  std::map<std::pair<std::string, std::string>, const Counterexample*> smallest;
  for (const auto& c : s.configs) {
    if (!c.counterexample) continue;
    const Counterexample*& slot = smallest[{c.config.quantizer_label, label_text(c.failing)}];
    if (!slot || c.counterexample->x.size() < slot->x.size()) slot = &*c.counterexample;
  }
  std::vector<const Counterexample*> out;
  for (const auto& [key, c] : smallest) out.push_back(c);
  return out;
}

std::vector<const Counterexample*> smallest_counterexamples(const RunReport& r) {
  std::vector<const Counterexample*> out;
  for (const auto& s : r.statements)
    for (const Counterexample* c : smallest_counterexamples(s)) out.push_back(c);
  return out;
}

void print_summary(const RunReport& r, std::ostream& os, bool verbose) {
  os << "interplay prove --" << r.options.mode << ": " << r.cases << " cases, " << std::fixed
     << std::setprecision(1) << r.seconds << " s on " << r.threads << " thread(s)\n";
  os << std::defaultfloat;
  for (const auto& s : r.statements) {
    os << "\n"
       << s.statement->id << " (" << kind_name(s.statement->kind) << ") " << s.statement->claim
       << "\n";
    if (s.statement->model_level) {
      os << "  verdict: " << verdict_text(s.verdict) << "\n";
      if (r.model) {
        using stats::Call;
        const auto& m = *r.model;
        os << "  loss gap vs threshold (95 % paired bootstrap), above/below/inconclusive: S->Q "
           << m.count_loss(true, Call::SignificantAbove) << "/"
           << m.count_loss(true, Call::SignificantBelow) << "/"
           << m.count_loss(true, Call::Inconclusive) << ", Q->S "
           << m.count_loss(false, Call::SignificantAbove) << "/"
           << m.count_loss(false, Call::SignificantBelow) << "/"
           << m.count_loss(false, Call::Inconclusive) << " of " << m.pairs.size()
           << " pairs; order S->Q better/Q->S better/inconclusive "
           << m.count_order(Call::SignificantAbove) << "/" << m.count_order(Call::SignificantBelow)
           << "/" << m.count_order(Call::Inconclusive) << " (" << m.test_images << " test images, "
           << std::setprecision(3) << m.seconds << " s)\n";
      }
      continue;
    }
    os << "  verdict: " << verdict_text(s.verdict) << "   [inside: " << s.inside_violating << "/"
       << s.inside << " configs with "
       << (s.statement->kind == Kind::Exists ? "witness" : "violation")
       << "; outside: " << s.outside_violating << "/" << s.outside << "]\n";
    for (const auto* m : {&s.inside_by_generator, &s.outside_by_generator})
      for (const auto& [variant, by] : *m) {
        std::string line;
        for (const auto& [g, t] : by)
          if (t.units) {
            std::ostringstream r;
            r << std::setprecision(3) << 100 * t.rate();
            line += " " + g + " " + r.str() + "%";
          }
        if (!line.empty())
          os << "  random-sample rate " << (m == &s.inside_by_generator ? "inside" : "outside")
             << ", " << variant << ":" << line << "\n";
      }
    if (s.statement->kind == Kind::Exists && s.statement->witness_per_quantizer)
      for (const auto& [q, w] : s.witness_by_quantizer)
        if (!w) os << "  no witness for quantizer " << q << "\n";
    for (const auto& e : s.evidence) {
      if (!e.configs) continue;
      os << "  without " << e.assumption << ": " << e.violating << "/" << e.configs
         << " configs violate (" << e.sole_violating << "/" << e.sole_configs
         << " where it is the only failing assumption)";
      if (e.example)
        os << "; e.g. " << e.example->config.id() << " [" << e.example->variant.label()
           << "] x = " << inline_values(e.example->x, 16);
      os << "\n";
    }
    if (s.inside_example)
      os << "  " << (s.statement->kind == Kind::Exists ? "witness" : "VIOLATION") << ": "
         << s.inside_example->config.id() << " [" << s.inside_example->variant.label()
         << "] x = " << inline_values(s.inside_example->x, 16) << "\n";
    if (!verbose) continue;
    for (const auto& c : s.configs)
      os << "    " << (c.inside() ? "inside " : "outside") << " " << c.config.id() << " ["
         << c.variant.label() << "] samples " << c.total().samples << ", violating "
         << c.total().violating_samples << "\n";
  }
  os << "\n" << (r.passed() ? "all statements as expected" : "SOME STATEMENTS FAILED") << "\n";
}

}  // namespace interplay::proofs
