#pragma once
// Progress of a run on stderr: a redrawn bar (done/total, elapsed, ETA) when
// stderr is a terminal, else a plain line at most every `plain_interval`
// seconds and one at the end.
#include <chrono>
#include <cstddef>
#include <string>
#include <utility>

namespace interplay::experiment {

class Progress {
 public:
  // `command` and `unit` name the work in the plain lines ("interplay run: 3/8 points").
  Progress(std::size_t total, std::size_t already_done, bool quiet, double plain_interval = 10.0,
           std::string command = "interplay run", std::string unit = "points");
  void update(std::size_t done);  // points done so far, including already_done
  void finish(std::size_t done);

 private:
  void draw(std::size_t done, bool final);
  using Clock = std::chrono::steady_clock;
  std::size_t total_, start_done_;
  bool quiet_, tty_;
  double plain_interval_;
  std::string command_, unit_;
  Clock::time_point start_, last_draw_;
};

std::string format_duration(double seconds);  // "1:05", "1:02:03"

}  // namespace interplay::experiment
