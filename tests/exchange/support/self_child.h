#pragma once
// Kill tests run their writer as a child process: this same test executable,
// started again with an environment variable set and no test selected, so
// that a static initializer of the test file sees the variable and runs the
// writer instead of GoogleTest (no extra CMake target). The child reports
// progress on descriptor kProgressFd, the write end of a pipe.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

namespace codex::store::testing {

inline constexpr int kProgressFd = 3;

struct SelfChild {
  pid_t pid = -1;
  int progress = -1;  // read end of the progress pipe
  std::string early;  // progress read before the child was gone (wait_progress)
};

// Starts this executable with env_name=value (any inherited value of
// env_name is dropped).
inline SelfChild spawn_self(const char* env_name, const std::string& value) {
  std::string env = std::string(env_name) + "=" + value;
  // Everything exec needs is built before fork (the child only calls
  // async-signal-safe functions).
  std::vector<char*> envp;
  for (char** e = environ; *e; ++e)
    if (std::strncmp(*e, env_name, std::strlen(env_name)) != 0) envp.push_back(*e);
  envp.push_back(env.data());
  envp.push_back(nullptr);
  std::string self = std::filesystem::read_symlink("/proc/self/exe").string();
  std::string filter = "--gtest_filter=-*";
  char* argv[] = {self.data(), filter.data(), nullptr};
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    ::dup2(fds[1], kProgressFd);  // dup2 clears close-on-exec on the copy
    ::execve(argv[0], argv, envp.data());
    ::_exit(127);
  }
  ::close(fds[1]);
  return {pid, fds[0], {}};
}

// SIGKILLs the child and reaps it; returns its wait status.
inline int kill_child(const SelfChild& c) {
  ::kill(c.pid, SIGKILL);
  int status = 0;
  ::waitpid(c.pid, &status, 0);
  return status;
}

inline bool killed_by_sigkill(int status) {
  return WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
}

// Waits until the child has reported something (kept for drain_progress),
// or timeout_ms passed; true if it did. Kill tests use it so that a loaded
// machine's slow start-up does not eat the time before the kill.
inline bool wait_progress(SelfChild& c, int timeout_ms) {
  pollfd p{c.progress, POLLIN, 0};
  if (::poll(&p, 1, timeout_ms) <= 0 || !(p.revents & POLLIN)) return false;
  char buf[4096];
  ssize_t n = ::read(c.progress, buf, sizeof buf);
  if (n <= 0) return false;
  c.early.append(buf, static_cast<size_t>(n));
  return true;
}

// Everything the child reported, once it is gone; closes the pipe.
inline std::string drain_progress(SelfChild& c) {
  std::string out = std::move(c.early);
  char buf[4096];
  for (ssize_t n; (n = ::read(c.progress, buf, sizeof buf)) > 0;)
    out.append(buf, static_cast<size_t>(n));
  ::close(c.progress);
  c.progress = -1;
  return out;
}

// For a static initializer of the test file: if this process was started by
// spawn_self(env_name, value), runs child(value) instead of the tests and
// exits (status 3 after printing what child threw, else 0); otherwise
// returns false.
//   [[maybe_unused]] const bool kIsChild = run_if_self_child(kEnv, run_writer);
inline bool run_if_self_child(const char* env_name, void (*child)(const std::string& value)) {
  const char* value = std::getenv(env_name);
  if (!value) return false;
  int rc = 0;
  try {
    child(value);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s child: %s\n", env_name, e.what());
    rc = 3;
  }
  std::_Exit(rc);
}

// In the child: reports bytes to the parent.
inline void report_progress(const void* bytes, size_t n) {
  [[maybe_unused]] auto w = ::write(kProgressFd, bytes, n);
}

}  // namespace codex::store::testing
