#include "agent/devnet/local_chain.h"

#include <fstream>
#include <stdexcept>

#include "agent/devnet/chain_deploy.h"
#include "agent/devnet/project_files.h"
#include "agent/devnet/run_files.h"

namespace codex::devnet {

namespace fs = std::filesystem;

NodeSpec LocalChain::node_spec(const std::string& name, NodeRole role, size_t account) const {
  NodeSpec s;
  s.name = name;
  s.role = role;
  const nlohmann::json& acct = deployment["accounts"].at(account);
  s.address = eth::Address::parse(acct["address"].get<std::string>());
  s.private_key = acct["privateKey"].get<std::string>();
  return s;
}

eth::Address LocalChain::marketplace() const {
  return eth::Address::parse(deployment.at("marketplace").get<std::string>());
}

uint64_t LocalChain::period_seconds() const {
  return deployment.at("configuration").at("proofs").at("period").get<uint64_t>();
}

nlohmann::json read_chain_preset(const std::string& file) {
  std::ifstream in(project_root() / "configs" / file);
  if (!in) throw std::runtime_error("cannot read the chain preset configs/" + file);
  return nlohmann::json::parse(in);
}

bool start_local_chain(const LocalChainOptions& o, LocalChain& out,
                       const std::function<void(const std::string&)>& say,
                       const std::function<bool()>& stop) {
  const fs::path circuits = o.circuit_dir.empty() ? cache_dir() / "devnet-circuit" : o.circuit_dir;
  if (!fs::exists(circuits / "proof_main.zkey"))
    say("making a development proving key of the storage circuit (once, cached in " +
        circuits.string() + ")");
  out.circuit = ensure_dev_circuit(circuits);
  if (stop()) return false;

  const fs::path chain = o.run_dir / "chain";
  fs::create_directories(chain);
  out.anvil = start_anvil(chain, o.accounts, o.survive_parent, o.keep_state);
  std::string keys;
  for (const auto& k : out.anvil.private_keys)
    keys += k + "\n";
  write_private(chain / "keys", keys);
  std::ofstream(chain / "preset.json") << o.preset.dump(2) << "\n";
  DeployOptions d;
  d.rpc_url = out.anvil.url;
  d.preset_file = (chain / "preset.json").string();
  d.keys_file = (chain / "keys").string();
  d.verification_key_file = out.circuit.verification_key.string();
  d.out = (chain / "devnet.json").string();
  out.deployment = deploy_chain(d);
  return !stop();
}

}  // namespace codex::devnet
