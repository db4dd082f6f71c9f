#include "proofs_check/statement.hpp"

#include "core/error.hpp"
#include "core/suggest.hpp"

namespace interplay::proofs {

#define INTERPLAY_STATEMENT(fn) Statement fn();
#include "proofs_check/statements.def"
#undef INTERPLAY_STATEMENT

const std::vector<Statement>& all_statements() {
  static const std::vector<Statement> k{
#define INTERPLAY_STATEMENT(fn) fn(),
#include "proofs_check/statements.def"
#undef INTERPLAY_STATEMENT
  };
  return k;
}

const Statement& statement(const std::string& id) {
  std::vector<std::string> ids;
  for (const auto& s : all_statements()) {
    if (s.id == id) return s;
    ids.push_back(s.id);
  }
  throw Error(at("--statement", unknown_name_message("statement", id, ids)));
}

const char* kind_name(Kind k) {
  return k == Kind::ForAll ? "forall" : "exists";
}

std::vector<Variant> phi_variants() {
  std::vector<Variant> v;
  for (const auto& p : all_phis()) v.push_back(Variant{p.phi, Covariance::None});
  return v;
}

}  // namespace interplay::proofs
