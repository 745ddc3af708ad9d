#pragma once
// A program the devnet runs (anvil, `codex-agent node`): started with its
// output appended to a log file, in its own process group so that a Ctrl-C on
// the terminal reaches only the devnet, which then stops the children in
// order. Unless detached for --keep, the kernel stops a child when the devnet
// dies outright (PR_SET_PDEATHSIG), so no run leaves orphans behind.
#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace codex::devnet {

class ChildProcess {
 public:
  // argv[0] is a path. `survive_parent`: no PR_SET_PDEATHSIG (--keep).
  // Throws std::runtime_error when the program cannot be started.
  ChildProcess(std::vector<std::string> argv, const std::filesystem::path& log,
               bool survive_parent = false);
  ~ChildProcess();  // stop() unless released
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  // The wait status once the process has exited (reaps it), else nullopt.
  std::optional<int> exited();
  // SIGTERM, then SIGKILL after `grace`; returns the wait status (-1 if
  // already reaped).
  int stop(std::chrono::milliseconds grace = std::chrono::seconds(10));
  // SIGKILL at once (a crash, for fault injection); returns the wait status.
  int kill();
  // Forget the process without stopping it (the network outlives the devnet).
  void release() { pid_ = -1; }

 private:
  pid_t pid_ = -1;
  std::optional<int> status_;
};

// "exit 3", "killed by signal 9": a wait status for people.
std::string describe_status(int status);

}  // namespace codex::devnet
