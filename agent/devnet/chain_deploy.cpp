#include "agent/devnet/chain_deploy.h"

#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "agent/eth/http_rpc_client.h"
#include "agent/eth/private_key.h"
#include "agent/eth/tx_sender.h"
#include "agent/market/abi_mapping.h"
#include "agent/market/config_json.h"
#include "agent/market/deployment.h"
#include "agent/market/proof_mapping.h"
#include "agent/market/token.h"
#include "base/sqlite/database.h"
#include "prover/groth16/snarkjs_json.h"

namespace codex::devnet {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// A chain preset (configs/chain-*.json): name, marketplace configuration and
// the token mints.
struct Preset {
  std::string name;
  json marketplace;
  market::MarketplaceConfig config;
  size_t mint_accounts = 0;
  eth::Uint256 mint_amount;
};

std::string read_file(const std::string& path, const std::string& what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(what + " " + path + ": cannot read");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Preset load_preset(const std::string& path) {
  const std::string where = "preset " + path + ": ";
  json j;
  try {
    j = json::parse(read_file(path, "preset"));
  } catch (const json::exception& e) {
    throw std::runtime_error(where + "not JSON (" + e.what() + ")");
  }
  if (!j.is_object() || !j.contains("marketplace") || !j.contains("token"))
    throw std::runtime_error(where + "not a chain preset (needs \"marketplace\" and \"token\")");
  Preset p;
  p.name = j.value("name", fs::path(path).stem().string());
  p.marketplace = j.at("marketplace");
  try {
    p.config = market::config_from_json(p.marketplace);
  } catch (const market::ConfigError& e) {
    throw std::runtime_error(where + e.what());
  }
  const json& token = j.at("token");
  if (!token.is_object() || !token.contains("accounts") || !token.contains("mintPerAccount") ||
      !token.at("accounts").is_number_unsigned() || !token.at("mintPerAccount").is_string())
    throw std::runtime_error(where +
                             "\"token\" needs \"accounts\" (a count) and \"mintPerAccount\" "
                             "(a decimal string)");
  p.mint_accounts = token.at("accounts").get<size_t>();
  try {
    p.mint_amount = eth::Uint256::from_string(token.at("mintPerAccount").get<std::string>());
  } catch (const std::exception& e) {
    throw std::runtime_error(where + "token.mintPerAccount: " + e.what());
  }
  return p;
}

// One private key per line (hex, optional 0x); blank lines and '#' comments are
// skipped. Like single key files, the file must not be readable by others.
std::vector<eth::PrivateKey> load_keys(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) throw std::runtime_error("keys " + path + ": cannot read");
  if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0)
    throw std::runtime_error("keys " + path + ": readable or writable by group or others " +
                             "(chmod 600)");
  std::istringstream in(read_file(path, "keys"));
  std::vector<eth::PrivateKey> keys;
  int n = 0;
  for (std::string line; std::getline(in, line);) {
    ++n;
    auto first = line.find_first_not_of(" \t\r");
    if (first == std::string::npos || line[first] == '#') continue;
    try {
      keys.push_back(eth::PrivateKey::from_hex(line));
    } catch (const std::exception&) {
      // the message names the line only: the line may hold a secret
      throw std::runtime_error("keys " + path + ": line " + std::to_string(n) +
                               " is not a private key");
    }
  }
  if (keys.empty()) throw std::runtime_error("keys " + path + ": no keys");
  return keys;
}

// The block height the Proofs constructor needs (§5.5): anvil_mine on a
// development node; elsewhere the chain must already be there.
void mine_past_block_256(eth::EthClient& eth) {
  uint64_t n = eth.block_number();
  if (n >= 257) return;
  try {
    eth.rpc().call("anvil_mine", json::array({eth::quantity(257 - n)}));
  } catch (const std::exception& e) {
    throw std::runtime_error("the chain is at block " + std::to_string(n) +
                             ", the marketplace needs > 256, and anvil_mine failed: " + e.what());
  }
}

void write_private_file(const std::string& path, const std::string& text) {
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw std::runtime_error("cannot write " + tmp);
    fs::permissions(tmp, fs::perms::owner_read | fs::perms::owner_write);
    out << text;
    if (!out.flush()) throw std::runtime_error("cannot write " + tmp);
  }
  fs::rename(tmp, path);
}

}  // namespace

nlohmann::json deploy_chain(const DeployOptions& o) {
  if (o.rpc_url.rfind("http://", 0) != 0 && o.rpc_url.rfind("https://", 0) != 0)
    throw std::invalid_argument("--rpc-url: not an http(s) URL: " + o.rpc_url);
  Preset preset = load_preset(o.preset_file);
  std::vector<eth::PrivateKey> keys = load_keys(o.keys_file);
  if (o.token.empty() && preset.mint_accounts > keys.size())
    throw std::runtime_error("preset " + o.preset_file + " mints to " +
                             std::to_string(preset.mint_accounts) +
                             " accounts, the keys file has " + std::to_string(keys.size()));
  eth::AbiValue verifying_key;
  {
    std::string text = read_file(o.verification_key_file, "verification key");
    try {
      verifying_key =
          market::verifying_key_to_abi(prover::groth16::parse_verification_key_json(text));
    } catch (const std::exception& e) {
      throw std::runtime_error("verification key " + o.verification_key_file + ": " + e.what());
    }
  }
  std::optional<eth::Address> existing_token;
  if (!o.token.empty()) {
    try {
      existing_token = eth::Address::parse(o.token);
    } catch (const std::exception& e) {
      throw std::invalid_argument("--token: " + std::string(e.what()));
    }
  }

  eth::HttpRpcOptions ro;
  ro.url = o.rpc_url;
  ro.max_attempts = 2;
  eth::HttpRpcClient rpc(ro);
  eth::EthClient eth(rpc);
  uint64_t chain_id = 0;
  try {
    chain_id = eth.chain_id();
  } catch (const std::exception& e) {
    throw std::runtime_error("cannot reach the chain at " + o.rpc_url + ": " + e.what());
  }
  const eth::PrivateKey& deployer = keys.front();
  if (uint64_t nonce = eth.transaction_count(deployer.address()); nonce != 0)
    throw std::runtime_error("deployer " + deployer.address().hex() + " has nonce " +
                             std::to_string(nonce) +
                             ": chain deploy needs a fresh account (the reference addresses "
                             "follow from nonces 0-24)");
  mine_past_block_256(eth);

  // The deployment's journal lives only as long as this command: a devnet is
  // deployed on a fresh chain, and a failed deployment starts over on a new one.
  std::string tmpl = (std::filesystem::temp_directory_path() / "codex-deploy.XXXXXX").string();
  if (!::mkdtemp(tmpl.data())) throw std::runtime_error("cannot create a temporary directory");
  struct Remove {
    std::filesystem::path dir;
    ~Remove() {
      std::error_code ec;
      std::filesystem::remove_all(dir, ec);
    }
  } remove_journal{tmpl};
  auto journal = base::sqlite::Database::open(remove_journal.dir / "journal.sqlite3");
  eth::TxOptions to;
  to.chain_id = chain_id;
  to.poll_interval = std::chrono::milliseconds(50);
  eth::TxSender sender(eth, deployer, *journal, to);
  json gas = json::object();
  auto create = [&](const char* artifact, const std::vector<eth::AbiValue>& args) {
    eth::Receipt r =
        market::deploy_artifact(sender, artifact, args, std::string("devnet/deploy/") + artifact);
    gas[std::string("deploy ") + artifact] = r.gas_used;
    return *r.contract_address;
  };

  eth::Address token;
  if (existing_token) {
    token = *existing_token;
  } else {
    token = create("TestToken", {});
    market::Token minter(eth, token, &sender);
    for (size_t i = 0; i < preset.mint_accounts; ++i)
      minter.mint(keys[i].address(), preset.mint_amount, "devnet/mint/" + keys[i].address().hex());
  }
  eth::Address groth16 = create("Groth16Verifier", {verifying_key});
  eth::Address test_verifier = create("TestVerifier", {});
  eth::AbiValue config = market::to_abi(preset.config);
  eth::Address marketplace = create("Marketplace", {config, token, groth16});
  eth::Address test_marketplace = create("TestMarketplace", {config, token, test_verifier});

  json accounts = json::array();
  for (size_t i = 0; i < keys.size(); ++i) {
    auto secret = keys[i].reveal_secret();
    bool minted = !existing_token && i < preset.mint_accounts;
    accounts.push_back({{"address", keys[i].address().hex()},
                        {"privateKey", eth::to_hex(secret)},
                        {"tokens", minted ? preset.mint_amount.to_dec() : "0"}});
  }
  json devnet = {
      {"format", "codex-devnet/1"},
      {"rpcUrl", o.rpc_url},
      {"chainId", chain_id},
      {"preset", preset.name},
      {"verifier", o.test_verifier ? "TestVerifier" : "Groth16Verifier"},
      {"marketplace", (o.test_verifier ? test_marketplace : marketplace).hex()},
      {"token", token.hex()},
      {"contracts",
       {{"token", token.hex()},
        {"groth16Verifier", groth16.hex()},
        {"testVerifier", test_verifier.hex()},
        {"marketplace", marketplace.hex()},
        {"testMarketplace", test_marketplace.hex()}}},
      {"configuration", preset.marketplace},
      {"deployBlock", eth.block_number()},
      {"accounts", accounts},
      {"gasUsed", gas},
  };
  write_private_file(o.out, devnet.dump(2) + "\n");
  return devnet;
}

}  // namespace codex::devnet
