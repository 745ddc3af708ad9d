#include "agent/commands/stop_signals.h"

#include <pthread.h>

namespace codex::agent {

StopSignals::StopSignals() {
  sigemptyset(&set_);
  sigaddset(&set_, SIGINT);
  sigaddset(&set_, SIGTERM);
  sigaddset(&set_, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &set_, nullptr);
  waiter_ = std::thread([this] {
    const timespec tick{0, 200'000'000};
    while (!done_) {
      if (sigtimedwait(&set_, nullptr, &tick) > 0) stop_ = true;
    }
  });
}

StopSignals::~StopSignals() {
  done_ = true;
  waiter_.join();
  pthread_sigmask(SIG_UNBLOCK, &set_, nullptr);
}

std::filesystem::path this_program() {
  return std::filesystem::read_symlink("/proc/self/exe");
}

}  // namespace codex::agent
