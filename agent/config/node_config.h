#pragma once
// Settings of `codex-agent node` (spec node.md §10.2, the options that apply so
// far). Filled from the command line, CODEX_* environment variables and a TOML
// or JSON config file, in that order of precedence.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace codex::agent {

struct NodeConfig {
  std::filesystem::path data_dir;
  // Empty: no REST API at all (as in the reference). Loopback by default; a
  // node listening beyond it without a token file warns at start.
  std::string api_bindaddr = "127.0.0.1";
  uint16_t api_port = 8080;
  std::optional<std::string> api_cors_origin;
  // A private file (mode 0600, else the node refuses to start) holding the
  // token that every API request must present as "Authorization: Bearer".
  std::optional<std::filesystem::path> api_token_file;
  // Prometheus metrics (spec node.md §10.2): GET /metrics on a listener of
  // its own, loopback by default (they say what the node stores and earns).
  bool metrics = false;
  std::string metrics_address = "127.0.0.1";
  uint16_t metrics_port = 8008;
  uint64_t storage_quota = 20ull << 30;
  std::chrono::seconds block_ttl{30 * 24 * 3600};
  std::chrono::seconds block_maintenance_interval{600};
  uint64_t block_maintenance_count = 1000;
  uint32_t block_size = 65536;
  // Sync block files before each index commit, so that even a power loss never
  // leaves an indexed block damaged. Halves the store's own write speed
  // (bench/store_bench); through the REST API it can cost nothing where the
  // upload is limited elsewhere (README: figures). Off by default, like the
  // reference and RepoOptions.
  bool power_loss_durability = false;
  // Peer-to-peer network (spec node.md §8.1, §10.2).
  std::vector<std::string> listen_addrs = {"/ip4/0.0.0.0/tcp/0"};
  std::vector<std::string> bootstrap_nodes;  // "spr:…" or multiaddrs with /p2p/
  uint32_t max_peers = 160;
  std::filesystem::path net_privkey = "key";  // relative to data_dir unless absolute
  std::string agent_string = "Codex";
  uint32_t block_retries = 3000;  // attempts per block fetched from peers
  // Marketplace roles (spec node.md §10.2 `persistence`): the chain's JSON-RPC
  // endpoint (HTTP), the account's key file (mode 0600, else refused), and the
  // marketplace contract. --eth-account, when given, must be the key's address
  // (signing through the chain node's own accounts is not supported).
  bool persistence = false;
  std::string eth_provider = "http://localhost:8545";
  std::optional<std::filesystem::path> eth_private_key;
  std::optional<std::string> eth_account;
  std::optional<std::string> marketplace_address;
  // Proving (--prover): the storage circuit's parameters and proving key in
  // circuit_dir (agent/node/circuit_dir.h). Without it the node sells no
  // slots (it could not prove them).
  bool prover = false;
  std::filesystem::path circuit_dir;  // empty: <data-dir>/circuits
  // Testing: every N-th proof a period asks for is sent invalid (0 = none).
  uint64_t simulate_proof_failures = 0;
  // Validation (--validator, spec node.md §7; needs persistence): marks the
  // missing proofs of the slots of group validator_group_index of
  // validator_groups (0 = no groups: every slot), at most
  // validator_max_slots slots (0 = no limit).
  bool validator = false;
  uint64_t validator_max_slots = 1000;
  uint64_t validator_groups = 0;
  uint64_t validator_group_index = 0;
  std::string log_level = "info";
  std::string log_format = "auto";  // auto | colors | nocolors | json | none
};

// ~/.cache/codex (the reference's Linux default).
std::filesystem::path default_data_dir();

}  // namespace codex::agent
