#pragma once
// The devnet's chain: the pinned anvil on 127.0.0.1 (chain id 31337), its
// funded development accounts read from anvil's --config-out.
#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "agent/devnet/child_process.h"

namespace codex::devnet {

struct AnvilProcess {
  std::unique_ptr<ChildProcess> process;
  std::string url;                        // http://127.0.0.1:PORT
  std::vector<std::string> private_keys;  // 0x hex, one per account
};

// Starts anvil with `accounts` funded accounts, its output in `log`, files in
// `dir`; waits until it answers (15 s). Retries on another port when the one
// picked was taken. With `keep_state`, anvil writes its chain to
// dir/state.json when it stops (restart_anvil). Throws std::runtime_error
// with anvil's exit.
AnvilProcess start_anvil(const std::filesystem::path& dir, size_t accounts, bool survive_parent,
                         bool keep_state = false);

// Stops anvil (SIGTERM: it writes its chain to dir/state.json) and starts it
// again on the same port from that state, so that the chain continues where
// it was. Requires start_anvil(..., keep_state = true). Throws
// std::runtime_error when it does not answer again within 15 s.
// `down`: how long the chain stays away between the two.
void restart_anvil(AnvilProcess& a, const std::filesystem::path& dir, bool survive_parent,
                   std::chrono::milliseconds down);

}  // namespace codex::devnet
