#pragma once
// Whether a stopped node's store holds the slots it hosts: each slot's tree,
// rebuilt from the blocks in the node's data directory, must have the root
// its verifiable manifest names (the check a provider makes before it fills
// a slot, and the data every proof samples). Run on a provider killed and
// not yet restarted, and on every provider once a stress run has stopped.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "agent/market/types.h"

namespace codex::devnet {

struct HostedSlot {
  market::Bytes manifest_cid;  // the request's content: the verifiable manifest
  uint64_t index = 0;
  std::string label;  // for messages ("slot 2 of request 5")
};

// One line per slot whose data is missing or is not what was sold (empty:
// all held). `node`: its name for messages. The directory must not be open
// in another process.
std::vector<std::string> check_host_data(const std::string& node,
                                         const std::filesystem::path& data_dir,
                                         const std::vector<HostedSlot>& slots);

}  // namespace codex::devnet
