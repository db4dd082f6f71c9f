#pragma once
// The three renderings of a run: a console summary, the markdown report
// (committed under results/), and JSON with every configuration and every
// counterexample's values and configuration (replayable).
#include <iosfwd>
#include <string>
#include <vector>

#include "proofs_check/run.hpp"

namespace interplay::proofs {

void print_summary(const RunReport& r, std::ostream& os, bool verbose);
std::string report_markdown(const RunReport& r);
json report_json(const RunReport& r);

// Every counterexample in a report_json document, with its JSON path.
std::vector<std::pair<std::string, Counterexample>> counterexamples_from_report(const json& j);
// Every counterexample of a run (the order of the JSON and the HDF5 store).
std::vector<const Counterexample*> all_counterexamples(const RunReport& r);
// The smallest counterexample per statement, quantizer and label (the ones
// the markdown report lists).
std::vector<const Counterexample*> smallest_counterexamples(const StatementReport& s);
std::vector<const Counterexample*> smallest_counterexamples(const RunReport& r);
// "inside" or "outside: a b".
std::string label_text(const std::vector<std::string>& failing);

// "[[3, 7, 0, 0]]" for small tensors, "[8,64] tensor" otherwise.
std::string inline_values(const Tensor& t, std::size_t max_inline = 32);

}  // namespace interplay::proofs
