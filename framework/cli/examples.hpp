#pragma once
#include <string>

namespace interplay::cli {

// The --help examples of `command` (lines ending in '\n'); nullptr if none.
const char* command_examples(const std::string& command);

}  // namespace interplay::cli
