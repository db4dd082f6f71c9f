#include "models/bible_corpus.hpp"

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/error.hpp"
#include "io/atomic_output.hpp"

namespace interplay {
namespace {

// True when `program` names an executable, directly (contains '/') or on PATH.
bool executable_exists(const std::string& program) {
  namespace fs = std::filesystem;
  auto ok = [](const fs::path& p) {
    std::error_code ec;
    return fs::is_regular_file(p, ec) &&
           (fs::status(p, ec).permissions() & fs::perms::others_exec) != fs::perms::none;
  };
  if (program.find('/') != std::string::npos) return ok(program);
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "");
  std::string dir;
  while (std::getline(dirs, dir, ':'))
    if (!dir.empty() && ok(fs::path(dir) / program)) return true;
  return false;
}

// The book abbreviation of a reference such as "1Sm3:4" ("1Sm"): everything
// before the chapter digits that follow the first letter.
std::string book_of(const std::string& ref) {
  std::size_t i = 0;
  while (i < ref.size() && std::isdigit(static_cast<unsigned char>(ref[i]))) ++i;
  while (i < ref.size() && !std::isdigit(static_cast<unsigned char>(ref[i]))) ++i;
  return ref.substr(0, i);
}

}  // namespace

json TextSplit::describe() const {
  return {{"corpus", "King James Bible (Debian bible-kjv-text), verses without references"},
          {"rule",
           "book i (canonical order, 0-based): test if i % 11 == 5, validation if "
           "i % 11 == 10, else train"},
          {"train_bytes", train.size()},
          {"validation_books", validation_books},
          {"validation_bytes", validation.size()},
          {"test_books", test_books},
          {"test_bytes", test.size()}};
}

std::string bible_cache_path() {
  const char* env = std::getenv("INTERPLAY_BIBLE_TEXT");
  return env && *env ? env : "data/bible-kjv.txt";
}

std::string run_bible(const std::string& program) {
  if (!executable_exists(program))
    throw Error(program +
                ": not found; install the Debian packages bible-kjv and bible-kjv-text "
                "(scripts/setup does)");
  const std::string cmd = "'" + program + "' -f 'Gen1:1-Rev22:21'";
  FILE* pipe = ::popen(cmd.c_str(), "r");
  if (!pipe) throw Error(program + ": cannot be started");
  std::string out;
  char buf[1 << 16];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) out.append(buf, n);
  const int status = ::pclose(pipe);
  if (status != 0 || out.empty())
    throw Error(program + " -f Gen1:1-Rev22:21: failed (exit status " + std::to_string(status) +
                "); is bible-kjv-text installed?");
  return out;
}

std::string load_bible_text(const std::string& cache) {
  std::ifstream in(cache, std::ios::binary);
  if (in) {
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
  }
  const std::string text = run_bible();
  const auto parent = std::filesystem::path(cache).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent);
  io::AtomicOutput out(cache);
  out.write(text.data(), text.size());
  out.commit();
  return text;
}

TextSplit split_bible(const std::string& raw) {
  TextSplit s;
  std::istringstream lines(raw);
  std::string line, book;
  long index = -1;
  std::size_t number = 0;
  std::string* part = nullptr;
  while (std::getline(lines, line)) {
    ++number;
    const std::size_t space = line.find(' ');
    const std::size_t colon = line.find(':');
    if (space == std::string::npos || colon == std::string::npos || colon > space)
      throw Error("bible text line " + std::to_string(number) +
                  ": expected \"BookC:V text\", got \"" + line.substr(0, 40) + "\"");
    const std::string b = book_of(line.substr(0, space));
    if (b != book) {
      book = b;
      ++index;
      std::vector<std::string>* names;
      if (index % 11 == 5)
        part = &s.test, names = &s.test_books;
      else if (index % 11 == 10)
        part = &s.validation, names = &s.validation_books;
      else
        part = &s.train, names = &s.train_books;
      names->push_back(b);
    }
    part->append(line, space + 1, std::string::npos);
    part->push_back('\n');
  }
  if (index != 65) throw Error("bible text: expected 66 books, found " + std::to_string(index + 1));
  return s;
}

}  // namespace interplay
