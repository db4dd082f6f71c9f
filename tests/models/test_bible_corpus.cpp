// The King James Bible corpus of the gpt model: the split by whole books is
// deterministic, disjoint and complete; a missing `bible` program is a
// one-line error naming the Debian package.
#include <catch2/catch.hpp>
#include <set>

#include "core/error.hpp"
#include "models/bible_corpus.hpp"

using namespace interplay;

TEST_CASE("bible corpus: a missing program names the Debian package", "[models][gpt][data]") {
  CHECK_THROWS_WITH(run_bible("/nonexistent/bible"),
                    Catch::Contains("/nonexistent/bible: not found; install the Debian packages "
                                    "bible-kjv and bible-kjv-text"));
  CHECK_THROWS_WITH(run_bible("no-such-bible-program"),
                    Catch::Contains("bible-kjv and bible-kjv-text"));
  CHECK_THROWS_WITH(split_bible("Ge1:1 In the beginning\nno reference here\n"),
                    Catch::Contains("bible text line 2"));
}

TEST_CASE("bible corpus: the split is by whole books, deterministic and disjoint",
          "[models][gpt][data]") {
  const std::string raw = run_bible();  // needs bible-kjv, as scripts/setup installs
  const TextSplit a = split_bible(raw), b = split_bible(raw);
  CHECK(a.train == b.train);
  CHECK(a.validation == b.validation);
  CHECK(a.test == b.test);
  CHECK(a.test_books == std::vector<std::string>{"Josh", "Est", "Hos", "Mal", "Phi", "2Pet"});
  CHECK(a.validation_books ==
        std::vector<std::string>{"1Ki", "SSol", "Mic", "Acts", "2Tim", "Rev"});
  std::set<std::string> all;
  for (const auto* v : {&a.train_books, &a.validation_books, &a.test_books})
    all.insert(v->begin(), v->end());
  CHECK(all.size() == 66);  // every book in exactly one part
  CHECK(a.train_books.size() == 54);
  // Every verse lands in one part, without its reference.
  std::size_t lines = 0;
  for (char ch : raw) lines += ch == '\n';
  std::size_t parts = 0;
  for (const auto* s : {&a.train, &a.validation, &a.test})
    for (char ch : *s) parts += ch == '\n';
  CHECK(parts == lines);
  CHECK(a.train.rfind("In the beginning God created the heaven and the earth.\n", 0) == 0);
  CHECK(a.test.rfind("Now after the death of Moses", 0) == 0);  // Joshua 1:1
  CHECK(a.train.size() + a.validation.size() + a.test.size() == 4137850);
  CHECK(a.describe()["test_bytes"] == a.test.size());
}
