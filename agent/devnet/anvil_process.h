#pragma once
// The devnet's chain: the pinned anvil on 127.0.0.1 (chain id 31337), its
// funded development accounts read from anvil's --config-out.
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
// picked was taken. Throws std::runtime_error with anvil's exit.
AnvilProcess start_anvil(const std::filesystem::path& dir, size_t accounts, bool survive_parent);

}  // namespace codex::devnet
