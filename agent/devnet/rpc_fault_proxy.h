#pragma once
// The JSON-RPC endpoint a stress run gives its nodes: an HTTP proxy on
// loopback in front of anvil that passes every request through, except
// during fault windows, when it fails a share of them the ways a flaky
// provider or network does:
//  - refused: 503 and nothing forwarded (the request never reached the chain);
//  - answer lost: forwarded, then 502 and the connection closed, so a node
//    cannot tell whether its transaction went out (the exactly-once case);
//  - slow: forwarded after a delay of 1 to 4 s.
// The draws come from the run's seed (their order follows the requests').
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/seeded_random.h"

namespace codex::agent {
class HttpServer;
}

namespace codex::devnet {

struct RpcFaultCounts {
  uint64_t requests = 0;
  uint64_t refused = 0;
  uint64_t lost = 0;  // answers lost after forwarding
  uint64_t slowed = 0;
};

class RpcFaultProxy {
 public:
  // Listens on a free loopback port. Throws std::runtime_error when it cannot.
  RpcFaultProxy(const std::string& upstream_url, uint64_t seed);
  ~RpcFaultProxy();
  RpcFaultProxy(const RpcFaultProxy&) = delete;
  RpcFaultProxy& operator=(const RpcFaultProxy&) = delete;

  std::string url() const;
  // From now on for `seconds`, each request fails with probability `rate`.
  void fail_for(double seconds, double rate);
  // Whether a window overlapped [from, to] (the system clock's
  // milliseconds since the epoch, as anvil stamps blocks with).
  bool failing_between(int64_t from_ms, int64_t to_ms) const;
  RpcFaultCounts counts() const;

 private:
  enum class Fate { kPass, kRefuse, kLose, kSlow };
  Fate draw(std::chrono::milliseconds& delay);

  std::string upstream_host_;
  int upstream_port_ = 0;
  std::unique_ptr<agent::HttpServer> server_;
  uint16_t port_ = 0;
  mutable std::mutex mu_;
  base::SeededRandom random_;
  base::SystemClock clock_;
  struct Window {
    int64_t from_ms = 0, to_ms = 0;
    double rate = 0;
  };
  std::vector<Window> windows_;
  RpcFaultCounts counts_;
};

}  // namespace codex::devnet
