#include "experiment/progress.hpp"

#include <unistd.h>

#include <cmath>
#include <cstdio>

namespace interplay::experiment {

std::string format_duration(double seconds) {
  const long s = std::lround(std::max(0.0, seconds));
  char buf[32];
  if (s >= 3600)
    std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", s / 3600, (s / 60) % 60, s % 60);
  else
    std::snprintf(buf, sizeof buf, "%ld:%02ld", s / 60, s % 60);
  return buf;
}

Progress::Progress(std::size_t total, std::size_t already_done, bool quiet, double plain_interval,
                   std::string command, std::string unit)
    : total_(total),
      start_done_(already_done),
      quiet_(quiet),
      tty_(::isatty(2) == 1),
      plain_interval_(plain_interval),
      command_(std::move(command)),
      unit_(std::move(unit)),
      start_(Clock::now()),
      last_draw_(start_) {}

void Progress::update(std::size_t done) {
  if (quiet_) return;
  const double since = std::chrono::duration<double>(Clock::now() - last_draw_).count();
  if (since >= (tty_ ? 0.1 : plain_interval_)) draw(done, false);
}

void Progress::finish(std::size_t done) {
  if (!quiet_) draw(done, true);
}

void Progress::draw(std::size_t done, bool final) {
  last_draw_ = Clock::now();
  const double elapsed = std::chrono::duration<double>(last_draw_ - start_).count();
  const std::size_t run_now = done - start_done_, left = total_ - done;
  const std::string eta = run_now ? format_duration(elapsed / double(run_now) * double(left)) : "?";
  const int pct = total_ ? int(100.0 * double(done) / double(total_)) : 100;
  if (tty_) {
    constexpr int kWidth = 30;
    const int fill = total_ ? int(kWidth * double(done) / double(total_)) : kWidth;
    std::string bar(std::size_t(fill), '#');
    bar.resize(kWidth, '.');
    std::fprintf(stderr, "\r[%s] %zu/%zu %s %3d%%  elapsed %s  ETA %s \033[K%s", bar.c_str(),
                 done, total_, unit_.c_str(), pct, format_duration(elapsed).c_str(), eta.c_str(),
                 final ? "\n" : "");
  } else {
    std::fprintf(stderr, "%s: %zu/%zu %s (%d%%), elapsed %s, ETA %s\n", command_.c_str(), done,
                 total_, unit_.c_str(), pct, format_duration(elapsed).c_str(), final ? "0:00" : eta.c_str());
  }
  std::fflush(stderr);
}

}  // namespace interplay::experiment
