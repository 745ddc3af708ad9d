// Node processes with the marketplace roles on a MarketEnv's anvil: the
// options that connect them, and an HTTP client for their REST API.
#pragma once

#include <httplib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "tests/agent/support/agent_node.h"
#include "tests/agent/support/market_env.h"

namespace codex::test {

inline httplib::Client http(const AgentNode& n, int read_timeout_s = 60) {
  httplib::Client c("127.0.0.1", n.port());
  c.set_read_timeout(read_timeout_s, 0);
  return c;
}

// Writes account `account`'s key into dir (mode 0600) and returns the node
// options of the marketplace roles for it.
inline std::vector<std::string> chain_args(MarketEnv& env, const std::filesystem::path& dir,
                                           int account) {
  const auto key = dir / ("eth" + std::to_string(account) + ".key");
  std::ofstream(key) << kDevKeys[account] << "\n";
  ::chmod(key.c_str(), 0600);
  return {"--persistence",
          "--eth-provider",
          env.anvil().url(),
          "--eth-private-key",
          key.string(),
          "--marketplace-address",
          env.deployment().marketplace.hex()};
}

}  // namespace codex::test
