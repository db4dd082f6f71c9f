#include "core/json_text.hpp"

#include "core/error.hpp"

namespace interplay {
namespace {

struct TooDeep {};

}  // namespace

json parse_json(const std::string& text, const std::string& where) {
  // The callback sees every value with its depth before it is stored.
  const json::parser_callback_t limit = [](int depth, json::parse_event_t, json&) {
    if (depth > kMaxJsonDepth) throw TooDeep{};
    return true;
  };
  try {
    return json::parse(text, limit);
  } catch (const TooDeep&) {
    throw JsonTooDeep(
        at(where, "JSON nested deeper than " + std::to_string(kMaxJsonDepth) + " levels"));
  } catch (const json::parse_error& e) {
    // e.byte is the offset of the error; report it as WHERE:LINE:COLUMN.
    std::size_t line = 1, col = 1;
    for (std::size_t i = 0; i + 1 < e.byte && i < text.size(); ++i) {
      if (text[i] == '\n')
        ++line, col = 1;
      else
        ++col;
    }
    std::string why = e.what();
    if (const std::size_t colon = why.rfind(": "); colon != std::string::npos)
      why = why.substr(colon + 2);
    throw Error((where.empty() ? std::string("JSON") : where) + ":" + std::to_string(line) + ":" +
                std::to_string(col) + ": invalid JSON: " + why);
  } catch (const json::exception& e) {
    // nlohmann's text: "[json.exception.out_of_range.406] number overflow ...".
    std::string what = e.what();
    if (const auto close = what.find("] ");
        what.rfind("[json.exception", 0) == 0 && close != std::string::npos)
      what = what.substr(close + 2);
    throw Error(at(where, "invalid JSON: " + what));
  }
}

}  // namespace interplay
