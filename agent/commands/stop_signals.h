#pragma once
// For the commands that run a network of processes (devnet, stress): Ctrl-C,
// SIGTERM and SIGHUP become a flag the run polls, so that it stops the nodes
// and anvil in order instead of dying with them half-way. The signals are
// blocked in every thread while the object lives and taken by one waiting
// thread. Create it on the main thread before any other thread starts.
#include <signal.h>

#include <atomic>
#include <filesystem>
#include <thread>

namespace codex::agent {

class StopSignals {
 public:
  StopSignals();
  ~StopSignals();
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;
  const std::atomic<bool>& flag() const { return stop_; }

 private:
  sigset_t set_{};
  std::atomic<bool> stop_{false}, done_{false};
  std::thread waiter_;
};

// This program's path (/proc/self/exe): the nodes a run starts run it too.
std::filesystem::path this_program();

}  // namespace codex::agent
