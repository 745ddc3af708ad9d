#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <CLI/CLI.hpp>

#include <fstream>
#include <memory>

#include "agent/commands/commands.h"
#include "agent/commands/config_file_format.h"
#include "agent/commands/logging.h"
#include "agent/config/units.h"
#include "agent/node/node.h"
#include "base/allocator_tuning.h"
#include "base/cli/unsigned_range.h"

namespace codex::agent {
namespace {

using base::cli::UnsignedRange;

// Expired blocks are removed in one write transaction per maintenance run
// (Repo::run_maintenance): bounded, as every other writer waits for it.
constexpr uint64_t kMaxBlockMn = 1'000'000;

struct NodeOptions {
  std::string data_dir = default_data_dir().string();
  std::string api_bindaddr = "127.0.0.1";
  uint16_t api_port = 8080;
  std::string api_cors_origin;
  std::string api_token_file;
  bool metrics = false;
  std::string metrics_address = "127.0.0.1";
  uint16_t metrics_port = 8008;
  std::string storage_quota = "20GiB";
  std::string block_ttl = "30d";
  std::string block_mi = "10m";
  uint64_t block_mn = 1000;
  std::string block_size = "64KiB";
  std::string repo_durability = "process-crash";
  std::vector<std::string> listen_addrs = {"/ip4/0.0.0.0/tcp/0"};
  std::vector<std::string> bootstrap_nodes;
  uint32_t max_peers = 160;
  std::string net_privkey = "key";
  std::string agent_string = "Codex";
  uint32_t block_retries = 3000;
  bool persistence = false;
  std::string eth_provider = "http://localhost:8545";
  std::string eth_private_key;
  std::string eth_account;
  std::string marketplace_address;
  bool prover = false;
  std::string circuit_dir;
  uint64_t simulate_proof_failures = 0;
  bool validator = false;
  uint64_t validator_max_slots = 1000;
  uint64_t validator_groups = 0;
  uint64_t validator_group_index = 0;
  std::string log_level = "info";
  std::string log_format = "auto";
};

NodeConfig to_config(const NodeOptions& o) {
  NodeConfig c;
  c.data_dir = o.data_dir;
  c.api_bindaddr = o.api_bindaddr;
  c.api_port = o.api_port;
  if (!o.api_cors_origin.empty()) c.api_cors_origin = o.api_cors_origin;
  if (!o.api_token_file.empty()) c.api_token_file = o.api_token_file;
  c.metrics = o.metrics;
  if (o.metrics_address.empty()) throw std::invalid_argument("--metrics-address must not be empty");
  c.metrics_address = o.metrics_address;
  c.metrics_port = o.metrics_port;
  c.storage_quota = parse_size(o.storage_quota);
  c.block_ttl = parse_duration(o.block_ttl);
  c.block_maintenance_interval = parse_duration(o.block_mi);
  if (c.block_maintenance_interval.count() == 0)
    throw std::invalid_argument("--block-mi must be at least 1s");
  c.block_maintenance_count = o.block_mn;
  uint64_t bs = parse_size(o.block_size);
  if (bs == 0 || bs > (1u << 24) || bs % 64 != 0)
    throw std::invalid_argument("--block-size must be a multiple of 64 bytes, at most 16 MiB");
  c.block_size = uint32_t(bs);
  if (o.repo_durability != "process-crash" && o.repo_durability != "power-loss")
    throw std::invalid_argument("--repo-durability must be process-crash or power-loss");
  c.power_loss_durability = o.repo_durability == "power-loss";
  c.listen_addrs = o.listen_addrs;
  c.bootstrap_nodes = o.bootstrap_nodes;
  c.max_peers = o.max_peers;
  c.net_privkey = o.net_privkey;
  c.agent_string = o.agent_string;
  c.block_retries = o.block_retries;
  c.persistence = o.persistence;
  c.eth_provider = o.eth_provider;
  if (!o.eth_private_key.empty()) c.eth_private_key = o.eth_private_key;
  if (!o.eth_account.empty()) c.eth_account = o.eth_account;
  if (!o.marketplace_address.empty()) c.marketplace_address = o.marketplace_address;
  if (c.persistence && !c.eth_private_key)
    throw std::invalid_argument(
        c.eth_account ? "--eth-account needs --eth-private-key: signing through the chain "
                        "node's accounts is not supported"
                      : "--persistence needs --eth-private-key");
  c.prover = o.prover;
  c.simulate_proof_failures = o.simulate_proof_failures;
  if (!o.circuit_dir.empty()) c.circuit_dir = o.circuit_dir;
  if (c.prover && !c.persistence) throw std::invalid_argument("--prover needs --persistence");
  if (c.persistence && !c.marketplace_address)
    throw std::invalid_argument("--persistence needs --marketplace-address");
  c.validator = o.validator;
  c.validator_max_slots = o.validator_max_slots;
  c.validator_groups = o.validator_groups;
  c.validator_group_index = o.validator_group_index;
  if (c.validator && !c.persistence) throw std::invalid_argument("--validator needs --persistence");
  if (c.validator_groups != 0 && c.validator_group_index >= c.validator_groups)
    throw std::invalid_argument("--validator-group-index must be below --validator-groups");
  c.log_level = o.log_level;
  c.log_format = o.log_format;
  return c;
}

// Fills the options that neither the command line nor the environment set
// from the config file. (CLI11's own config handling on a subcommand did not
// apply the values, and this gives the usual precedence: command line,
// environment, file, defaults.) Throws CLI::ParseError for unknown keys.
void apply_config_file(CLI::App& cmd, const std::string& path) {
  std::ifstream in(path);
  if (!in) throw CLI::FileError("cannot read config file " + path);
  for (const CLI::ConfigItem& item : ConfigFileFormat().from_config(in)) {
    CLI::Option* opt = nullptr;
    try {
      opt = cmd.get_option("--" + item.name);
    } catch (const CLI::OptionNotFound&) {
      throw CLI::ConversionError("config file " + path + ": unknown option '" + item.name + "'");
    }
    if (item.name == "config-file")
      throw CLI::ConversionError("config file " + path + ": config-file cannot be nested");
    if (opt->count() > 0) continue;  // set on the command line or in the environment
    for (const auto& v : item.inputs)
      opt->add_result(v);
    opt->run_callback();
  }
}

int run_node(const NodeConfig& config) {
  // Before any thread starts: block transfers reuse their buffers' memory.
  base::tune_allocator_for_transfers();
  setup_logging(config.log_level, config.log_format);
  // Everything the node creates (database, its -wal/-shm, blocks) is private
  // data, like the key: files 0600, directories 0700.
  ::umask(077);
  // Signals are taken by sigwait on this thread; every thread started later
  // inherits the blocked mask.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  Node node(config);
  node.start();
  int sig = 0;
  sigwait(&set, &sig);
  spdlog::info("received signal {}, stopping", sig);
  node.stop();
  return 0;
}

}  // namespace

void add_node_command(CLI::App& app, int* rc) {
  auto o = std::make_shared<NodeOptions>();
  CLI::App* cmd = app.add_subcommand("node", "Run a storage node (REST API, block store)");
  auto config_file = std::make_shared<std::string>();
  cmd->add_option("--config-file", *config_file,
                  "TOML or JSON file of options (keys = long option names)")
      ->check(CLI::ExistingFile);
  auto env = [](CLI::Option* opt, const char* name) { opt->envname(name); };
  env(cmd->add_option("-d,--data-dir", o->data_dir, "Data directory (mode 0700)")
          ->capture_default_str(),
      "CODEX_DATA_DIR");
  env(cmd->add_option("--api-bindaddr", o->api_bindaddr,
                      "REST API address (\"\" = no API; beyond loopback, use a token file)")
          ->capture_default_str(),
      "CODEX_API_BINDADDR");
  env(cmd->add_option("-p,--api-port", o->api_port, "REST API port (0 = any free port)")
          ->capture_default_str()
          ->check(UnsignedRange(0, 65535)),
      "CODEX_API_PORT");
  env(cmd->add_option("--api-token-file", o->api_token_file,
                      "File (mode 0600) with the token every API request must send as "
                      "'Authorization: Bearer <token>'"),
      "CODEX_API_TOKEN_FILE");
  env(cmd->add_option("--api-cors-origin", o->api_cors_origin, "Send CORS headers for this origin"),
      "CODEX_API_CORS_ORIGIN");
  env(cmd->add_flag("--metrics", o->metrics,
                    "Serve Prometheus metrics at http://<metrics-address>:<metrics-port>/metrics"),
      "CODEX_METRICS");
  env(cmd->add_option("--metrics-address", o->metrics_address, "Metrics listening address")
          ->capture_default_str(),
      "CODEX_METRICS_ADDRESS");
  env(cmd->add_option("--metrics-port", o->metrics_port, "Metrics port (0 = any free port)")
          ->capture_default_str()
          ->check(UnsignedRange(0, 65535)),
      "CODEX_METRICS_PORT");
  env(cmd->add_option("-q,--storage-quota", o->storage_quota, "Storage quota, e.g. 20GiB")
          ->capture_default_str(),
      "CODEX_STORAGE_QUOTA");
  env(cmd->add_option("-t,--block-ttl", o->block_ttl, "Default block time to live, e.g. 30d")
          ->capture_default_str(),
      "CODEX_BLOCK_TTL");
  env(cmd->add_option("--block-mi", o->block_mi, "Block maintenance interval, e.g. 10m")
          ->capture_default_str(),
      "CODEX_BLOCK_MI");
  env(cmd->add_option("--block-mn", o->block_mn,
                      "Blocks checked per maintenance run (one transaction: at most a million)")
          ->capture_default_str()
          ->check(UnsignedRange(1, kMaxBlockMn)),
      "CODEX_BLOCK_MN");
  env(cmd->add_option("--block-size", o->block_size, "Block size of new uploads")
          ->capture_default_str(),
      "CODEX_BLOCK_SIZE");
  env(cmd->add_option("--repo-durability", o->repo_durability,
                      "process-crash (fast) or power-loss (sync block files before each commit)")
          ->capture_default_str(),
      "CODEX_REPO_DURABILITY");
  env(cmd->add_option("-i,--listen-addrs", o->listen_addrs,
                      "Multiaddrs to listen on for peers, e.g. /ip4/0.0.0.0/tcp/8070")
          ->capture_default_str(),
      "CODEX_LISTEN_ADDRS");
  env(cmd->add_option("-b,--bootstrap-node", o->bootstrap_nodes,
                      "A peer to connect to at start: its signed peer record (spr:…) or a "
                      "multiaddr ending in /p2p/<peer id>; repeatable"),
      "CODEX_BOOTSTRAP_NODE");
  env(cmd->add_option("--max-peers", o->max_peers, "Most peers connected at once")
          ->capture_default_str()
          ->check(UnsignedRange(1, 100000)),
      "CODEX_MAX_PEERS");
  env(cmd->add_option("--net-privkey", o->net_privkey,
                      "Node key file (libp2p secp256k1 key, mode 0600), relative to the data dir")
          ->capture_default_str(),
      "CODEX_NET_PRIVKEY");
  env(cmd->add_option("--agent-string", o->agent_string, "Agent name shown to peers (identify)")
          ->capture_default_str(),
      "CODEX_AGENT_STRING");
  env(cmd->add_option("--block-retries", o->block_retries,
                      "Attempts to fetch a block from peers before giving up")
          ->capture_default_str()
          ->check(UnsignedRange(1, 1000000)),
      "CODEX_BLOCK_RETRIES");
  env(cmd->add_flag("--persistence", o->persistence,
                    "Enable the marketplace roles (needs the --eth-* options)"),
      "CODEX_PERSISTENCE");
  env(cmd->add_option("--eth-provider", o->eth_provider, "The chain's JSON-RPC URL (http)")
          ->capture_default_str(),
      "CODEX_ETH_PROVIDER");
  env(cmd->add_option("--eth-private-key", o->eth_private_key,
                      "File with the account's private key in hex (mode 0600)"),
      "CODEX_ETH_PRIVATE_KEY");
  env(cmd->add_option("--eth-account", o->eth_account,
                      "The account's address (checked against the key)"),
      "CODEX_ETH_ACCOUNT");
  env(cmd->add_option("--marketplace-address", o->marketplace_address,
                      "Address of the marketplace contract"),
      "CODEX_MARKETPLACE_ADDRESS");
  env(cmd->add_flag("--prover", o->prover,
                    "Prove storage (sell slots): needs the files of --circuit-dir"),
      "CODEX_PROVER");
  env(cmd->add_option("--circuit-dir", o->circuit_dir,
                      "circuit.json and proof_main.zkey (default <data-dir>/circuits)"),
      "CODEX_CIRCUIT_DIR");
  env(cmd->add_option("--simulate-proof-failures", o->simulate_proof_failures,
                      "Testing: send every N-th required proof invalid (0 = never)")
          ->check(UnsignedRange()),
      "CODEX_SIMULATE_PROOF_FAILURES");
  env(cmd->add_flag("--validator", o->validator,
                    "Validate: mark the missing proofs of filled slots (earns the contract's "
                    "reward; needs --persistence)"),
      "CODEX_VALIDATOR");
  env(cmd->add_option("--validator-max-slots", o->validator_max_slots,
                      "Most slots watched at once (0 = no limit)")
          ->capture_default_str()
          ->check(UnsignedRange()),
      "CODEX_VALIDATOR_MAX_SLOTS");
  env(cmd->add_option("--validator-groups", o->validator_groups,
                      "Split the slots into this many groups (2-65535) and watch one")
          ->check(UnsignedRange(2, 65535)),
      "CODEX_VALIDATOR_GROUPS");
  env(cmd->add_option("--validator-group-index", o->validator_group_index,
                      "The group watched (0 to groups - 1; ignored without --validator-groups)")
          ->capture_default_str()
          ->check(UnsignedRange(0, 65534)),
      "CODEX_VALIDATOR_GROUP_INDEX");
  env(cmd->add_option("--log-level", o->log_level,
                      "trace|debug|info|notice|warn|error|fatal|off, any case; "
                      "per-topic entries (\"info;trace:restapi\") are accepted, topics ignored")
          ->capture_default_str(),
      "CODEX_LOG_LEVEL");
  env(cmd->add_option("--log-format", o->log_format, "auto|colors|nocolors|json|none")
          ->capture_default_str(),
      "CODEX_LOG_FORMAT");
  cmd->callback([cmd, o, rc, config_file] {
    if (!config_file->empty()) apply_config_file(*cmd, *config_file);
    *rc = run_node(to_config(*o));
  });
}

}  // namespace codex::agent
