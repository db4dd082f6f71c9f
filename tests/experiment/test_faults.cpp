// Regression tests for the fault and hostile-input campaign (issue 8): a full
// disk, signals, outputs that are inputs, deep nesting, corrupt journals and
// results files, overflowing shapes, out-of-range values, late validation,
// sizes declared in headers, nameless messages and FIFOs.
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <thread>

#include "experiment/result_file.hpp"
#include "helpers.hpp"
#include "io/hdf5.hpp"
#include "io/idx.hpp"

using namespace interplay;
using namespace interplay::exptest;

namespace {

// 2 inputs x (2 S + 3 Q + 2 x 3 x 2 composites) = 34 points.
const char* kConfig = R"({
  "name": "faults",
  "inputs": [
    {"name": "normal", "distribution": "normal", "shape": [8, 64], "seeds": [0]},
    {"name": "laplace", "distribution": "laplace", "shape": [8, 64], "seeds": [1]}
  ],
  "metrics": ["l1", "l2sq"],
  "derived": {"orthogonality": ["l1"], "order": ["l1"]},
  "sweep": {
    "sparsity": [{"sparsifier": "magnitude", "fraction": 0.5, "label": "50%"},
                 {"sparsifier": "nm", "n": 2, "m": 4, "label": "2:4"}],
    "formats": ["int4", "mxfp4", "hbfp4"]
  },
  "tables": {"l1": {"rows": ["format"], "columns": ["order"], "values": ["l1"]}}
})";
constexpr std::size_t kPoints = 34;

bool one_error_line(const ProcessResult& r, const std::string& names) {
  return r.exit_code != 0 && r.err.rfind("interplay: error: ", 0) == 0 &&
         r.err.find('\n') == r.err.size() - 1 && r.err.find(names) != std::string::npos;
}

struct Fixture {
  ScratchDir dir;
  std::string cfg = dir.file("faults.json"), ref = dir.file("ref.h5");
  Fixture() {
    write_text(cfg, kConfig);
    REQUIRE(run_interplay({"run", cfg, "-o", ref, "-q"}).exit_code == 0);
  }
  experiment::ResultTable reference() const { return experiment::read_results(ref).table; }
};

}  // namespace

TEST_CASE("faults: a full disk keeps the previous results and the journal; --resume recovers",
          "[experiment][faults]") {
  Fixture f;
  const auto ref = f.reference();
  const std::size_t results_size = read_text(f.ref).size();
  // Limits that stop the journal, the first results file, and a later one.
  for (const std::size_t limit : {std::size_t(600), std::size_t(3000), results_size / 2}) {
    CAPTURE(limit);
    const std::string out = f.dir.file("full-" + std::to_string(limit) + ".h5");
    const auto r = run_interplay(
        {"run", f.cfg, "-o", out, "-q", "--flush-seconds", "0", "--threads", "1"}, limit);
    CHECK(one_error_line(r, out));
    CHECK(r.err.find("File too large") != std::string::npos);
    // Whatever is on disk is readable, and nothing half-written was installed.
    if (path_exists(out)) CHECK_NOTHROW(experiment::read_results(out));
    CHECK_FALSE(path_exists(out + ".lock"));
    for (const auto& name : list_dir(f.dir.path())) CHECK(name.find(".tmp-") == std::string::npos);
    const auto resumed = run_interplay({"run", f.cfg, "-o", out, "-q", "--resume"});
    REQUIRE(resumed.exit_code == 0);
    CHECK(table_difference(experiment::read_results(out).table, ref).empty());
  }
}

TEST_CASE("faults: a full disk on a small tmpfs (when this user can mount one)",
          "[experiment][faults]") {
  Fixture f;
  const std::string mnt = f.dir.file("tmpfs");
  ::mkdir(mnt.c_str(), 0755);
  const std::string mount = "mount -t tmpfs -o size=24k tmpfs '" + mnt + "' 2>/dev/null";
  if (std::system(mount.c_str()) != 0) {
    ::rmdir(mnt.c_str());
    SUCCEED("cannot mount a tmpfs here; the RLIMIT_FSIZE test covers the same paths");
    return;
  }
  const std::string out = mnt + "/o.h5";
  const auto r = run_interplay({"run", f.cfg, "-o", out, "-q", "--flush-seconds", "0"});
  CHECK(one_error_line(r, "No space left on device"));
  CHECK(path_exists(out + ".journal"));
  if (path_exists(out)) CHECK_NOTHROW(experiment::read_results(out));
  REQUIRE(std::system(("mount -o remount,size=4m '" + mnt + "'").c_str()) == 0);
  REQUIRE(run_interplay({"run", f.cfg, "-o", out, "-q", "--resume"}).exit_code == 0);
  CHECK(table_difference(experiment::read_results(out).table, f.reference()).empty());
  CHECK(std::system(("umount '" + mnt + "'").c_str()) == 0);
  ::rmdir(mnt.c_str());
}

TEST_CASE("faults: SIGINT and SIGTERM save finished points, release the lock and say how to resume",
          "[experiment][faults]") {
  Fixture f;
  for (const int sig : {SIGINT, SIGTERM}) {
    CAPTURE(sig);
    const std::string out = f.dir.file("sig" + std::to_string(sig) + ".h5");
    const std::string err = f.dir.file("sig" + std::to_string(sig) + ".err");
    const int pid = spawn_interplay(
        {"run", f.cfg, "-o", out, "--threads", "1", "--delay-ms", "30", "-q"}, err);
    for (int i = 0; i < 3000 && !(path_exists(out + ".journal") && count_lines(out + ".journal") > 3);
         ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    ::kill(pid, sig);
    CHECK(wait_exit_code_within(pid, 30) == 128 + sig);
    const std::string text = read_text(err);
    CHECK(text.find("interplay: interrupted: ") != std::string::npos);
    CHECK(text.find("--resume") != std::string::npos);
    CHECK_FALSE(path_exists(out + ".lock"));
    const auto partial = experiment::read_results(out);
    CHECK_FALSE(partial.info.complete);
    CHECK(partial.table.rows() >= 3);
    CHECK(partial.table.rows() < kPoints);
    REQUIRE(run_interplay({"run", f.cfg, "-o", out, "-q", "--resume"}).exit_code == 0);
    CHECK(table_difference(experiment::read_results(out).table, f.reference()).empty());
  }
}

TEST_CASE("faults: no command overwrites one of its inputs", "[experiment][faults]") {
  Fixture f;
  const std::string before = read_text(f.ref);
  CHECK(one_error_line(run_interplay({"table", f.ref, "--output", f.ref}), "is also an input"));
  const std::string link = f.dir.file("link.h5");
  REQUIRE(::symlink(f.ref.c_str(), link.c_str()) == 0);
  CHECK(one_error_line(run_interplay({"table", f.ref, "--output", link}), "is also an input"));
  CHECK(read_text(f.ref) == before);
  CHECK(one_error_line(run_interplay({"run", f.cfg, "-o", f.cfg, "--force", "-q"}),
                       "is also an input"));
  CHECK(read_text(f.cfg) == kConfig);

  const std::string w = f.dir.file("w.h5");
  REQUIRE(run_interplay({"compress", "--input", f.ref + ":/points/l1", "--output", w + ":/l1",
                         "--pipeline", "int8"})
              .exit_code == 0);
  const std::string w_before = read_text(w);
  CHECK(one_error_line(
      run_interplay({"compress", "--input", w + ":/l1", "--output", w + ":/l1", "--pipeline",
                     "int8"}),
      "is also an input"));
  CHECK(read_text(w) == w_before);
  // A new dataset next to the input in the same HDF5 file is fine.
  CHECK(run_interplay({"compress", "--input", w + ":/l1", "--output", w + ":/l1_int4",
                       "--pipeline", "int4"})
            .exit_code == 0);
}

TEST_CASE("faults: deep nesting is a one-line error, not a stack overflow",
          "[experiment][faults]") {
  ScratchDir dir;
  const std::string npy = dir.file("deep.npy");
  std::string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': " +
                     std::string(21000, '(') + std::string(21000, ')') + "}";
  std::string bytes = "\x93NUMPY\x02";
  bytes += '\0';
  for (int k = 0; k < 4; ++k) bytes += char((dict.size() >> (8 * k)) & 0xff);
  write_text(npy, bytes + dict);
  CHECK(one_error_line(run_interplay({"compress", "--input", npy, "--output", dir.file("o.npy"),
                                      "--pipeline", "int8"}),
                       "nested deeper"));

  // 60 000 deep: as deep as one command-line argument (128 KiB) allows.
  const std::string deep_pipeline = std::string(60000, '[') + std::string(60000, ']');
  CHECK(one_error_line(run_interplay({"compress", "--input", npy, "--output", dir.file("o.npy"),
                                      "--pipeline", deep_pipeline}),
                       "--pipeline: JSON nested deeper than"));

  const std::string cfg = dir.file("deep.json");
  write_text(cfg, "{\"name\": " + std::string(200000, '[') + std::string(200000, ']') + "}");
  CHECK(one_error_line(run_interplay({"run", cfg, "-o", dir.file("o.h5")}), cfg));
  CHECK_FALSE(path_exists(dir.file("o.h5")));
  CHECK_FALSE(path_exists(dir.file("o.npy")));
}

TEST_CASE("faults: every journal record is validated before it is trusted",
          "[experiment][faults]") {
  Fixture f;
  const std::string out = f.dir.file("j.h5");
  const int pid = spawn_interplay({"run", f.cfg, "-o", out, "--threads", "1", "--delay-ms", "30",
                                   "--flush-seconds", "1000", "-q"});
  for (int i = 0; i < 3000 && !(path_exists(out + ".journal") && count_lines(out + ".journal") > 3);
       ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  ::kill(pid, SIGKILL);
  wait_exit_code(pid);
  const std::string journal = read_text(out + ".journal");
  const std::size_t second = journal.find('\n') + 1, third = journal.find('\n', second) + 1;
  const std::string line = journal.substr(second, third - second);
  const std::string id = line.substr(line.find("\"id\":\"") + 6, 16);

  struct Case {
    const char* what;
    std::string record;
  };
  const std::vector<Case> cases{
      {"too few values", line.substr(0, line.rfind(",\"")) + "]}\n"},
      {"no values", "{\"id\":\"" + id + "\",\"v\":[]}\n"},
      {"a number instead of hex", "{\"id\":\"" + id + "\",\"v\":[1,2]}\n"},
      {"an unknown point", std::string("{\"id\":\"0123456789abcdef\",\"v\":[") +
                               "\"3ff0000000000000\",\"3ff0000000000000\"]}\n"},
      {"not an object", "[1,2,3]\n"}};
  for (const auto& c : cases) {
    CAPTURE(c.what);
    write_text(out + ".journal", journal.substr(0, third) + c.record);
    const auto r = run_interplay({"run", f.cfg, "-o", out, "-q", "--resume"});
    CHECK(one_error_line(r, out + ".journal:3: "));
    CHECK(read_text(out + ".journal") == journal.substr(0, third) + c.record);  // untouched
    CHECK_FALSE(path_exists(out + ".lock"));
  }
}

TEST_CASE("faults: a results file with columns of the wrong kind is refused on open",
          "[experiment][faults]") {
  Fixture f;
  auto loaded = experiment::read_results(f.ref);
  auto retype = [&](const std::string& name, const std::string& file) {
    experiment::ResultTable t;
    t.set_rows(loaded.table.rows());
    for (const auto& c : loaded.table.columns()) {
      const bool flip = c.name == name;
      auto& n = t.add_column(c.name, flip ? !c.text : c.text);
      for (std::size_t r = 0; r < loaded.table.rows(); ++r) {
        if (n.text)
          n.strings[r] = flip ? std::to_string(r) : c.strings[r];
        else
          n.numbers[r] = flip ? double(r) : c.numbers[r];
      }
    }
    experiment::write_results(file, loaded.info, t);
  };
  retype("l1", f.dir.file("text_metric.h5"));
  CHECK(one_error_line(run_interplay({"table", f.dir.file("text_metric.h5")}),
                       "column 'l1' holds text; a table value must be numeric"));
  retype("format", f.dir.file("numeric_format.h5"));
  CHECK(one_error_line(run_interplay({"table", f.dir.file("numeric_format.h5")}),
                       "/points/format must hold text"));
}

TEST_CASE("faults: sizes and values out of range are rejected, naming the option",
          "[experiment][faults]") {
  Fixture f;
  const std::string out = f.dir.file("o.h5");
  auto run_set = [&](const std::string& set) {
    return run_interplay({"run", f.cfg, "-o", out, "-q", "--set", set});
  };
  CHECK(one_error_line(run_set("inputs[*].shape=[4294967296,4294967296]"), "inputs[0].shape"));
  CHECK(one_error_line(run_set("inputs[*].shape=[65536,65536,65536,65536]"), "inputs[0].shape"));
  CHECK(one_error_line(run_set("inputs[*].shape=[1048576,1048576]"), "inputs[0].shape"));
  CHECK(one_error_line(
      run_set("sweep.formats=[{\"quantizer\":\"mxfp4\",\"axis\":18446744073709551615}]"),
      "axis: value 18446744073709551615 is out of range"));
  CHECK(one_error_line(run_set("inputs[99999999999999999999].shape=[2]"), "--set"));
  CHECK(one_error_line(run_interplay({"run", f.cfg, "-o", out, "--threads", "-1"}), "--threads"));
  for (const char* lr : {"nan", "inf", "-1", "0"})
    CHECK(one_error_line(
        run_interplay({"train", "--model", "mlp", "--output", f.dir.file("m.h5"), "--lr", lr}),
        "--lr"));
  const std::string big = f.dir.file("big.json");
  write_text(big, std::string(kConfig).replace(std::string(kConfig).find("\"seeds\": [0]"), 12,
                                               "\"seeds\": [1e400]"));
  CHECK(one_error_line(run_interplay({"run", big, "-o", out}), big));
  CHECK_FALSE(path_exists(out));
  CHECK_FALSE(path_exists(f.dir.file("m.h5")));
}

TEST_CASE("faults: every (pipeline, input) pair is checked before any file is created",
          "[experiment][faults]") {
  Fixture f;
  const std::string out = f.dir.file("late.h5");
  const auto r = run_interplay(
      {"run", f.cfg, "-o", out, "-q", "--set", "inputs[1].shape=[512]", "--set",
       "sweep.formats=[\"int4\",{\"quantizer\":\"mxfp4\",\"axis\":-2,\"label\":\"mx-2\"}]"});
  CHECK(one_error_line(r, "axis"));
  CHECK_FALSE(path_exists(out));
  CHECK_FALSE(path_exists(out + ".journal"));
  CHECK_FALSE(path_exists(out + ".lock"));
}

TEST_CASE("faults: sizes declared in file headers are checked before allocating",
          "[experiment][faults]") {
  ScratchDir dir;
  const std::string h5 = dir.file("huge.h5");
  {
    auto file = io::h5::File::create(h5);
    io::h5::CreateOptions chunked;
    chunked.chunk_rows = 1;
    chunked.deflate = 1;  // chunks are never written: the file stays tiny
    file.create_dataset("/w", io::h5::DType::Float32, {1000000, 1000000}, chunked);
  }
  CHECK(read_text(h5).size() < 100000);
  CHECK(one_error_line(run_interplay({"compress", "--input", h5 + ":/w", "--output",
                                      dir.file("o.npy"), "--pipeline", "int8"}),
                       h5 + ":/w"));

  const std::string idx = dir.file("huge-idx.gz");
  {
    gzFile g = gzopen(idx.c_str(), "wb");
    const unsigned char header[] = {0, 0, 8, 3, 0, 0, 0x27, 0x10, 0, 0, 0x03, 0xe8, 0, 0, 0x03, 0xe8};
    gzwrite(g, header, sizeof header);
    gzwrite(g, "some bytes", 10);
    gzclose(g);
  }
  CHECK_THROWS_WITH(read_idx(idx), Catch::Contains(idx) && Catch::Contains("truncated"));
}

TEST_CASE("faults: a FIFO named like an input is refused, not read forever",
          "[experiment][faults]") {
  ScratchDir dir;
  const std::string fifo = dir.file("pipe.npy");
  REQUIRE(::mkfifo(fifo.c_str(), 0644) == 0);
  const int pid = spawn_interplay({"compress", "--input", fifo, "--output", dir.file("o.npy"),
                                   "--pipeline", "int8"},
                                  dir.file("err"));
  CHECK(wait_exit_code_within(pid, 20) == 1);
  CHECK(read_text(dir.file("err")).find("not a regular file") != std::string::npos);
  CHECK_THROWS_WITH(read_idx(fifo), Catch::Contains("not a regular file"));
}
