// Running the codex-agent program to its end from a test (the devnet and
// stress runs): its exit status and output, and the processes it may have
// left behind.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/child_process.h"

namespace codex::test {

inline std::string agent_program() {
  return std::string(CODEX_BINARY_DIR) + "/agent/codex-agent";
}

inline std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct Outcome {
  int status = -1;  // waitpid's; -1 when it ran past the time limit (then killed)
  std::string output;
};

// Runs codex-agent with args, output to dir/out.log; waits up to `timeout`.
inline Outcome run_agent(const std::filesystem::path& dir, std::vector<std::string> args,
                         std::chrono::seconds timeout = std::chrono::seconds(60)) {
  args.insert(args.begin(), agent_program());
  const std::filesystem::path log = dir / "out.log";
  std::filesystem::remove(log);
  ChildProcess p(args, log.string());
  Outcome o;
  o.status = p.wait_exit(timeout);
  if (o.status == -1) p.kill(SIGKILL);
  o.output = read_file(log);
  return o;
}

inline int exit_code(int status) {
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// Processes whose command line mentions `text` (a run's data directory).
inline std::vector<pid_t> processes_mentioning(const std::string& text) {
  std::vector<pid_t> out;
  for (const auto& e : std::filesystem::directory_iterator("/proc")) {
    const std::string name = e.path().filename();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::string cmd = read_file(e.path() / "cmdline");
    std::replace(cmd.begin(), cmd.end(), '\0', ' ');
    if (cmd.find(text) != std::string::npos && std::stoi(name) != ::getpid())
      out.push_back(std::stoi(name));
  }
  return out;
}

}  // namespace codex::test
