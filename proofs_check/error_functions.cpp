#include "proofs_check/error_functions.hpp"

#include "core/error.hpp"
#include "core/suggest.hpp"

namespace interplay::proofs {

const std::vector<PhiInfo>& all_phis() {
  static const std::vector<PhiInfo> k{{Phi::L1, "l1", "phi(t) = t", true},
                                      {Phi::L2Squared, "l2sq", "phi(t) = t^2", true},
                                      {Phi::L3Cubed, "l3cube", "phi(t) = t^3", true},
                                      {Phi::LHalf, "l0.5", "phi(t) = t^0.5", false}};
  return k;
}

const PhiInfo& phi_info(Phi phi) {
  for (const auto& p : all_phis())
    if (p.phi == phi) return p;
  return all_phis().front();
}

Phi parse_phi(const std::string& name) {
  std::vector<std::string> names;
  for (const auto& p : all_phis()) {
    if (name == p.name) return p.phi;
    names.push_back(p.name);
  }
  throw Error(unknown_name_message("error function", name, names));
}

double error_sum(Phi phi, const float* y, const float* x, std::size_t n) {
  double s = 0;
  for (std::size_t i = 0; i < n; ++i) s += phi_of(phi, std::fabs(double(y[i]) - double(x[i])));
  return s;
}

}  // namespace interplay::proofs
