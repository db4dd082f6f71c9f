// `mpirun -np 3 interplay run` (INTERPLAY_MPI=ON builds only): the file equals
// a single-process run's bit for bit; a worker rank killed mid-run ends the
// job, and --resume (again under mpirun) gives the identical file without
// running or storing any point twice.
#ifdef INTERPLAY_TEST_MPI
#include <dirent.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <thread>

#include "experiment/result_file.hpp"
#include "helpers.hpp"

using namespace interplay;
using namespace interplay::exptest;

namespace {

constexpr std::size_t kPoints = 51;

std::vector<std::string> mpirun_args(const std::vector<std::string>& run_args) {
  // No single-copy (CMA) transfers: containers often forbid the ptrace they need.
  std::vector<std::string> a{INTERPLAY_MPIEXEC,
                             "--oversubscribe",
                             "-np",
                             "3",
                             "--mca",
                             "btl_vader_single_copy_mechanism",
                             "none"};
  if (::getuid() == 0) a.push_back("--allow-run-as-root");  // CI runs as root
  a.push_back(INTERPLAY_BINARY);
  a.insert(a.end(), run_args.begin(), run_args.end());
  return a;
}

int spawn(const std::vector<std::string>& argv_s, const std::string& err) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    if (!std::freopen("/dev/null", "w", stdout) || !std::freopen(err.c_str(), "w", stderr))
      ::_exit(127);
    std::vector<char*> argv;
    for (const auto& a : argv_s) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  return int(pid);
}

int run(const std::vector<std::string>& argv_s, const std::string& err) {
  return wait_exit_code_within(spawn(argv_s, err), 240);
}

// The process with parent `parent` whose environment says it is MPI rank `rank`.
int find_rank(int parent, int rank) {
  const std::string want = "OMPI_COMM_WORLD_RANK=" + std::to_string(rank);
  for (const auto& name : list_dir("/proc")) {
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    const std::string stat = read_text("/proc/" + name + "/stat");
    const auto close = stat.rfind(')');
    if (close == std::string::npos) continue;
    int ppid = 0;
    if (std::sscanf(stat.c_str() + close + 2, "%*c %d", &ppid) != 1 || ppid != parent) continue;
    std::string env = read_text("/proc/" + name + "/environ");
    for (char& c : env)
      if (c == '\0') c = '\n';
    if (("\n" + env).find("\n" + want + "\n") != std::string::npos) return std::stoi(name);
  }
  return -1;
}

}  // namespace

TEST_CASE("mpi: mpirun -np 3 writes the file of a single-process run", "[experiment][mpi]") {
  ScratchDir dir;
  const std::string cfg = dir.file("c.json"), ref = dir.file("ref.h5"), out = dir.file("mpi.h5");
  write_text(cfg, kSmallSweep);
  REQUIRE(run_interplay({"run", cfg, "-o", ref, "-q", "--threads", "1"}).exit_code == 0);
  REQUIRE(run(mpirun_args({"run", cfg, "-o", out, "-q"}), dir.file("err")) == 0);
  CHECK_FALSE(path_exists(out + ".journal"));
  const auto a = experiment::read_results(out);
  const auto b = experiment::read_results(ref);
  CHECK(a.table.rows() == kPoints);
  CHECK(table_difference(a.table, b.table).empty());
  CHECK(a.info.complete);
  CHECK(a.info.threads == 2);  // worker ranks
  CHECK(run_interplay({"table", out}).out == run_interplay({"table", ref}).out);
  // A second mpirun on the finished file has nothing to do and changes nothing.
  const std::string before = read_text(out);
  REQUIRE(run(mpirun_args({"run", cfg, "-o", out, "-q", "--resume"}), dir.file("err")) == 0);
  CHECK(read_text(out) == before);
  // Rank 0's checks still come first: an existing output is refused, by rank 0 alone.
  CHECK(run(mpirun_args({"run", cfg, "-o", out, "-q"}), dir.file("err2")) != 0);
  const std::string err = read_text(dir.file("err2"));
  CHECK(err.find("interplay: error: " + out + ": already exists") != std::string::npos);
  CHECK(err.find("already exists") == err.rfind("already exists"));
  // A pipeline that does not fit an input fails before any file exists,
  // though rank 0 generates no input itself.
  const std::string late = dir.file("late.h5");
  CHECK(run(mpirun_args({"run", cfg, "-o", late, "-q", "--set", "inputs[1].shape=[512]", "--set",
                         "sweep.formats=[{\"quantizer\":\"mxfp4\",\"axis\":-2}]"}),
            dir.file("err3")) != 0);
  const std::string err3 = read_text(dir.file("err3"));
  CHECK(err3.find("interplay: error: ") != std::string::npos);
  CHECK(err3.find("axis") != std::string::npos);
  CHECK_FALSE(path_exists(late));
  CHECK_FALSE(path_exists(late + ".journal"));
}

TEST_CASE("mpi: a worker rank killed mid-run ends the job, and --resume gives the identical file",
          "[experiment][mpi]") {
  ScratchDir dir;
  const std::string cfg = dir.file("c.json"), ref = dir.file("ref.h5"), out = dir.file("k.h5");
  write_text(cfg, kSmallSweep);
  REQUIRE(run_interplay({"run", cfg, "-o", ref, "-q", "--threads", "2"}).exit_code == 0);
  const int mpirun =
      spawn(mpirun_args({"run", cfg, "-o", out, "-q", "--delay-ms", "60"}), dir.file("err"));
  for (int i = 0; i < 6000 && !(path_exists(out + ".journal") && count_lines(out + ".journal") > 6);
       ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  const int worker = find_rank(mpirun, 1);
  REQUIRE(worker > 0);
  REQUIRE(::kill(worker, SIGKILL) == 0);
  CHECK(wait_exit_code_within(mpirun, 60) != 0);
  const std::string err = read_text(dir.file("err"));
  // mpirun names the rank that died; rank 0's "--resume" hint gets out unless
  // mpirun's teardown cuts its output first.
  INFO(err);
  CHECK((err.find("rank 1") != std::string::npos || err.find("--resume") != std::string::npos));
  const std::size_t journaled = count_lines(out + ".journal") - 1;
  CHECK(journaled >= 6);
  CHECK(journaled < kPoints);

  REQUIRE(run(mpirun_args({"run", cfg, "-o", out, "-q", "--resume"}), dir.file("err2")) == 0);
  const auto resumed = experiment::read_results(out);
  CHECK(resumed.table.rows() == kPoints);  // no point twice
  CHECK(table_difference(resumed.table, experiment::read_results(ref).table).empty());
  CHECK(resumed.info.runs == 2);
  CHECK_FALSE(path_exists(out + ".journal"));
}

TEST_CASE("mpi: model points and their test-set replicates cross ranks bit for bit",
          "[experiment][mpi]") {
  ScratchDir dir;
  const std::string cfg = dir.file("m.json"), ref = dir.file("ref.h5"), out = dir.file("mpi.h5");
  write_text(cfg, kModelSweep);
  // Rank 0 trains the missing model before any worker opens it.
  REQUIRE(run(mpirun_args({"run", cfg, "-o", out, "-q"}), dir.file("err")) == 0);
  REQUIRE(run_interplay({"run", cfg, "-o", ref, "-q", "--threads", "1"}).exit_code == 0);
  const auto a = experiment::read_results(out).table;
  const auto b = experiment::read_results(ref).table;
  REQUIRE(b.replicate_count() > 0);
  CHECK(table_difference(a, b).empty());
}

TEST_CASE("mpi: a point failing on a worker ends the job with one line naming the rank",
          "[experiment][mpi]") {
  ScratchDir dir;
  const std::string cfg = dir.file("bad.json"), out = dir.file("bad.h5");
  // GPTQ refuses scale blocks along axis 0 only when the point runs, on a worker.
  write_text(cfg, R"({
    "inputs": [{"name": "g", "distribution": "normal", "shape": [8, 64]}],
    "activations": [{"name": "x", "distribution": "normal", "rows": 128, "seed": 0}],
    "metrics": ["l1"],
    "sweep": {"formats": ["int4", "mxfp4"], "pipelines": [{"label": "bad", "steps":
              [{"quantizer": "mxfp4", "axis": 0, "solver": "gptq"}]}]}
  })");
  CHECK(run(mpirun_args({"run", cfg, "-o", out, "-q"}), dir.file("err")) != 0);
  const std::string err = read_text(dir.file("err"));
  const auto at = err.find("interplay: error: rank ");
  REQUIRE(at != std::string::npos);
  const std::string line = err.substr(at, err.find('\n', at) - at);
  CHECK(line.find("point 2 (") != std::string::npos);
  CHECK(line.find("axis") != std::string::npos);
  CHECK(err.find("interplay: error:") == err.rfind("interplay: error:"));  // rank 0 alone
  // The worker that failed on point 2 had finished an earlier point: it is kept.
  CHECK(experiment::read_results(out).table.rows() >= 1);
  CHECK(path_exists(out + ".journal"));
}
#else
#include <catch2/catch.hpp>
#include <cstdlib>

#include "helpers.hpp"

using namespace interplay::exptest;

TEST_CASE("mpi: a build without MPI refuses to run once per rank under mpirun",
          "[experiment][mpi]") {
  ScratchDir dir;
  write_text(dir.file("c.json"), R"({"inputs": [{"name": "g", "distribution": "normal",
    "shape": [4, 64]}], "metrics": ["l1"], "sweep": {"formats": ["int4"]}})");
  ::setenv("OMPI_COMM_WORLD_SIZE", "3", 1);  // what mpirun -np 3 sets
  const auto r = run_interplay({"run", dir.file("c.json"), "-o", dir.file("o.h5")});
  ::unsetenv("OMPI_COMM_WORLD_SIZE");
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("-DINTERPLAY_MPI=ON") != std::string::npos);
  CHECK_FALSE(path_exists(dir.file("o.h5")));
}
#endif
