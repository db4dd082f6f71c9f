#pragma once
// The King James Bible as a byte-level language-modelling corpus (the `gpt`
// model's data; layout and split documented in data/README.md).
//
// Source: Debian's `bible-kjv` (the `bible` program) with `bible-kjv-text`;
// `bible -f "Gen1:1-Rev22:21"` prints one verse per line, "Ge1:1 In the
// beginning ...". The text is produced once and cached (not committed).
//
// Corpus text: each verse without its reference, one verse per line ('\n'),
// books in canonical order. References are dropped because they are
// bookkeeping, not English, and would let a model earn easy bits on counters.
//
// Split by whole books, so that no held-out verse has its neighbour in the
// training text: with books numbered 0..65 in canonical order, book i is
// test when i % 11 == 5 (Joshua, Esther, Hosea, Malachi, Philippians,
// 2 Peter), validation when i % 11 == 10 (1 Kings, Song of Solomon, Micah,
// Acts, 2 Timothy, Revelation), training otherwise. The stride spreads both
// held-out sets over law/history, poetry, prophets, gospels/acts and epistles.
#include <string>
#include <vector>

#include "core/params.hpp"

namespace interplay {

struct TextSplit {
  std::string train, validation, test;  // each: verses of its books, '\n'-terminated
  std::vector<std::string> train_books, validation_books, test_books;  // bible's abbreviations

  json describe() const;  // books and byte counts per part (stored in weights files)
};

// $INTERPLAY_BIBLE_TEXT if set, else data/bible-kjv.txt (relative to the
// working directory, the repository root for the documented commands).
std::string bible_cache_path();

// Runs `program -f "Gen1:1-Rev22:21"` and returns its output. A program not
// found on PATH is an Error naming the Debian package.
std::string run_bible(const std::string& program = "bible");

// The raw `bible` output, from the cache if present, else produced with
// run_bible and written to the cache (atomically).
std::string load_bible_text(const std::string& cache = bible_cache_path());

// Splits raw `bible -f` output (lines "RefC:V text") into the three parts above.
// A line without a reference is an Error naming its line number.
TextSplit split_bible(const std::string& raw);

}  // namespace interplay
