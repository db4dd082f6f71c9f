#pragma once
// SIGINT / SIGTERM during a run: the first signal only raises a flag, so the
// runner can stop handing out points, save what finished and release its lock;
// a second signal of either kind ends the process at once (the default action).
#include <csignal>

namespace interplay::experiment {

class InterruptGuard {
 public:
  InterruptGuard();   // installs the handlers
  ~InterruptGuard();  // restores the previous ones
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;

  // The signal received (SIGINT or SIGTERM), or 0.
  static int signal_received();

 private:
  struct sigaction old_int_ {}, old_term_{};
};

const char* signal_name(int sig);  // "SIGINT", "SIGTERM"

}  // namespace interplay::experiment
