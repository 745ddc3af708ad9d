#pragma once
// The chain of a local run (`devnet`, `stress`): the development proving key
// (made once and cached), anvil in <run dir>/chain with its keys in a private
// file, and the contracts deployed from a chain preset. Each run then starts
// its nodes against it.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "agent/devnet/anvil_process.h"
#include "agent/devnet/dev_circuit.h"
#include "agent/devnet/node_process.h"
#include "agent/eth/address.h"

namespace codex::devnet {

struct LocalChainOptions {
  std::filesystem::path run_dir;
  std::filesystem::path circuit_dir;  // empty: the cache's
  nlohmann::json preset;              // configs/chain-*.json, adjusted by the caller
  size_t accounts = 20;               // anvil's funded dev accounts
  bool survive_parent = false;        // --keep
  bool keep_state = false;            // for restart_anvil
};

struct LocalChain {
  DevCircuit circuit;
  AnvilProcess anvil;
  nlohmann::json deployment;  // chain deploy's output (addresses, configuration, accounts)

  eth::Address marketplace() const;
  uint64_t period_seconds() const;  // the deployed configuration's proof period
  // A node named `name` in `role` that signs with funded account `account`
  // (its address and key); the rest of the spec is the caller's.
  NodeSpec node_spec(const std::string& name, NodeRole role, size_t account) const;
};

// configs/<file> of the repository (a chain preset such as chain-devnet.json).
nlohmann::json read_chain_preset(const std::string& file);

// `say` tells the user about the slow first-time key; `stop` is asked
// between the steps. Returns false when stopped. Throws what the steps throw
// (anvil, deployment), naming the step.
bool start_local_chain(const LocalChainOptions& o, LocalChain& out,
                       const std::function<void(const std::string&)>& say,
                       const std::function<bool()>& stop);

}  // namespace codex::devnet
