// Upload and download through the REST API of a real `codex-agent node` on
// loopback: MB/s of each direction and the node's peak resident memory.
//   rest_transfer_run [size_mib=1024] [path/to/codex-agent] [process-crash|power-loss]
// Goal (issue 2): upload ≥ 300 MB/s, download ≥ 600 MB/s, peak < 200 MB.
// The third argument is the node's --repo-durability (default: the node's).
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <sstream>
#include <string>
#include <thread>

#include "agent/client/rest_client.h"

namespace {

long peak_rss_kib(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
  return -1;
}

// User + system CPU seconds the process has used so far.
double cpu_seconds(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  size_t p = all.rfind(')');
  std::istringstream rest(all.substr(p + 2));
  std::string f;
  unsigned long long ut = 0, st = 0;
  for (int i = 3; i <= 15; ++i) {
    rest >> f;
    if (i == 14) ut = std::stoull(f);
    if (i == 15) st = std::stoull(f);
  }
  return double(ut + st) / double(sysconf(_SC_CLK_TCK));
}

int free_port() {
  // Port from the pid keeps concurrent runs apart without a bind race helper.
  return 20000 + int(getpid() % 20000);
}

}  // namespace

int main(int argc, char** argv) {
  uint64_t mib = argc > 1 ? std::stoull(argv[1]) : 1024;
  std::string agent = argc > 2 ? argv[2] : std::string(CODEX_AGENT_PATH);
  std::string durability = argc > 3 ? argv[3] : "";
  auto dir = std::filesystem::temp_directory_path() / ("codex-bench-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  auto in = dir / "in.bin", out = dir / "out.bin";
  {
    std::mt19937_64 rng(1);
    std::ofstream f(in, std::ios::binary);
    std::vector<uint64_t> buf(1 << 17);
    for (uint64_t i = 0; i < mib; ++i) {
      for (auto& w : buf)
        w = rng();
      f.write(reinterpret_cast<const char*>(buf.data()), 1 << 20);
    }
  }
  int port = free_port();
  std::string node_dir = (dir / "node").string(), port_s = std::to_string(port);
  pid_t pid = fork();
  if (pid == 0) {
    if (durability.empty())
      execl(agent.c_str(), agent.c_str(), "node", "-d", node_dir.c_str(), "-p", port_s.c_str(),
            "--log-level", "warn", "-q", "100GiB", nullptr);
    else
      execl(agent.c_str(), agent.c_str(), "node", "-d", node_dir.c_str(), "-p", port_s.c_str(),
            "--log-level", "warn", "-q", "100GiB", "--repo-durability", durability.c_str(),
            nullptr);
    _exit(127);
  }
  std::string base = "http://127.0.0.1:" + std::to_string(port) + "/api/codex/v1";
  codex::agent::RestClient client(base);
  for (int i = 0; i < 200; ++i) {
    try {
      client.get("/peerid");
      break;
    } catch (...) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  using clk = std::chrono::steady_clock;
  double c0 = cpu_seconds(pid);
  auto t0 = clk::now();
  std::string cid = client.upload(in);
  auto t1 = clk::now();
  double c1 = cpu_seconds(pid);
  uint64_t n = client.download(cid, out);
  auto t2 = clk::now();
  double c2 = cpu_seconds(pid);
  double up = std::chrono::duration<double>(t1 - t0).count();
  double down = std::chrono::duration<double>(t2 - t1).count();
  double mb = double(mib) * 1048576.0 / 1e6;
  long peak = peak_rss_kib(pid);
  kill(pid, SIGTERM);
  waitpid(pid, nullptr, 0);
  bool same =
      n == mib << 20 && std::system(("cmp -s " + in.string() + " " + out.string()).c_str()) == 0;
  std::printf(
      "rest_transfer: %llu MiB%s%s  upload %.1f MB/s (%.2f s, node CPU %.2f s)  "
      "download %.1f MB/s (%.2f s, node CPU %.2f s)  node peak RSS %.1f MB  bytes %s\n",
      (unsigned long long)mib, durability.empty() ? "" : " ", durability.c_str(), mb / up, up,
      c1 - c0, mb / down, down, c2 - c1, double(peak) * 1024 / 1e6, same ? "identical" : "DIFFER");
  std::filesystem::remove_all(dir);
  return same ? 0 : 1;
}
