#include "helpers.hpp"

#include <dirent.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace interplay::exptest {

ScratchDir::ScratchDir() {
  char tmpl[] = "/tmp/interplay-exp-test-XXXXXX";
  if (!::mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
  path_ = tmpl;
}

ScratchDir::~ScratchDir() {
  // Best effort: the directory is flat (plus one level for unwritable tests).
  for (const auto& name : list_dir(path_)) {
    const std::string p = path_ + "/" + name;
    for (const auto& inner : list_dir(p)) std::remove((p + "/" + inner).c_str());
    ::chmod(p.c_str(), 0755);
    ::rmdir(p.c_str());
    std::remove(p.c_str());
  }
  ::rmdir(path_.c_str());
}

ProcessResult run_interplay(const std::vector<std::string>& args, std::size_t file_size_limit) {
  ScratchDir io;
  const std::string out = io.file("out"), err = io.file("err");
  const pid_t pid = ::fork();
  if (pid == 0) {
    if (!std::freopen(out.c_str(), "w", stdout) || !std::freopen(err.c_str(), "w", stderr))
      ::_exit(127);
    if (file_size_limit) {
      ::signal(SIGXFSZ, SIG_IGN);  // kept across exec: writes fail with EFBIG instead
      const rlimit lim{rlim_t(file_size_limit), rlim_t(file_size_limit)};
      if (::setrlimit(RLIMIT_FSIZE, &lim) != 0) ::_exit(127);
    }
    std::vector<char*> argv{const_cast<char*>(INTERPLAY_BINARY)};
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    ::execv(INTERPLAY_BINARY, argv.data());
    ::_exit(127);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  ProcessResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = read_text(out);
  r.err = read_text(err);
  return r;
}

int spawn_interplay(const std::vector<std::string>& args, const std::string& err_path) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    const char* err = err_path.empty() ? "/dev/null" : err_path.c_str();
    if (!std::freopen("/dev/null", "w", stdout) || !std::freopen(err, "w", stderr)) ::_exit(127);
    std::vector<char*> argv{const_cast<char*>(INTERPLAY_BINARY)};
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    ::execv(INTERPLAY_BINARY, argv.data());
    ::_exit(127);
  }
  return int(pid);
}

int wait_exit_code_within(int pid, double seconds) {
  for (double waited = 0; waited < seconds; waited += 0.01) {
    int status = 0;
    if (::waitpid(pid_t(pid), &status, WNOHANG) == pid_t(pid))
      return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    ::usleep(10000);
  }
  ::kill(pid_t(pid), SIGKILL);
  wait_exit_code(pid);
  return -2;
}

int wait_exit_code(int pid) {
  int status = 0;
  ::waitpid(pid_t(pid), &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

void write_text(const std::string& path, const std::string& text) {
  std::ofstream f(path, std::ios::binary);
  f << text;
}

std::string read_text(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

bool path_exists(const std::string& path) {
  return ::access(path.c_str(), F_OK) == 0;
}

std::vector<std::string> list_dir(const std::string& dir) {
  std::vector<std::string> names;
  DIR* d = ::opendir(dir.c_str());
  if (!d) return names;
  while (const dirent* e = ::readdir(d)) {
    const std::string n = e->d_name;
    if (n != "." && n != "..") names.push_back(n);
  }
  ::closedir(d);
  return names;
}

std::size_t count_lines(const std::string& path) {
  const std::string t = read_text(path);
  std::size_t n = 0;
  for (char c : t) n += c == '\n';
  return n;
}

std::string table_difference(const experiment::ResultTable& a, const experiment::ResultTable& b) {
  if (a.names() != b.names()) return "different columns";
  if (a.rows() != b.rows())
    return "different row counts: " + std::to_string(a.rows()) + " vs " + std::to_string(b.rows());
  for (std::size_t c = 0; c < a.columns().size(); ++c) {
    const auto& x = a.columns()[c];
    const auto& y = b.columns()[c];
    for (std::size_t r = 0; r < a.rows(); ++r) {
      const bool same = x.text ? x.strings[r] == y.strings[r]
                               : std::memcmp(&x.numbers[r], &y.numbers[r], sizeof(double)) == 0 ||
                                     (x.numbers[r] != x.numbers[r] && y.numbers[r] != y.numbers[r]);
      if (!same)
        return "column '" + x.name + "' row " + std::to_string(r) + ": " + a.cell_text(x, r) +
               " vs " + b.cell_text(y, r);
    }
    // Test-set replicates, bit for bit (NaN == NaN).
    if (x.replicates.size() != y.replicates.size())
      return "column '" + x.name + "': replicates on one side only";
    for (std::size_t i = 0; i < x.replicates.size(); ++i) {
      const double u = x.replicates[i], v = y.replicates[i];
      if (std::memcmp(&u, &v, sizeof u) != 0 && !(u != u && v != v))
        return "column '" + x.name + "': replicate " + std::to_string(i) + " differs";
    }
  }
  return "";
}

}  // namespace interplay::exptest
