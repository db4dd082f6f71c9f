#pragma once
// "Did you mean ...?" for unknown names.
#include <string>
#include <vector>

namespace interplay {

std::size_t edit_distance(const std::string& a, const std::string& b);

// The closest candidate, or "" when nothing is plausibly close.
std::string closest(const std::string& name, const std::vector<std::string>& candidates);

// "unknown quantizer 'mxfp5'; did you mean 'mxfp4'? (valid: a, b, c)"
std::string unknown_name_message(const std::string& what, const std::string& name,
                                 const std::vector<std::string>& candidates);

}  // namespace interplay
