// `codex-agent chain deploy`: the marketplace contracts on a fresh chain
// (agent/devnet/chain_deploy.h), for scripts/devnet-chain and by hand.
#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>

#include "agent/commands/commands.h"
#include "agent/devnet/chain_deploy.h"

namespace codex::agent {

void add_chain_command(CLI::App& app, int* rc) {
  auto o = std::make_shared<devnet::DeployOptions>();
  CLI::App* chain = app.add_subcommand("chain", "Work with a marketplace chain");
  chain->require_subcommand(1);
  CLI::App* cmd = chain->add_subcommand(
      "deploy",
      "Deploy TestToken, both verifiers, Marketplace and TestMarketplace to a fresh chain in the "
      "reference order; write the devnet file");
  cmd->add_option("--rpc-url", o->rpc_url, "JSON-RPC endpoint of the chain")->required();
  cmd->add_option("--preset", o->preset_file, "Chain preset JSON (configs/chain-*.json)")
      ->required();
  cmd->add_option("--keys", o->keys_file,
                  "File of private keys, one per line (mode 600): the first deploys, the first "
                  "token.accounts of the preset receive tokens, all are listed in the devnet file")
      ->required();
  cmd->add_option("--verification-key", o->verification_key_file,
                  "snarkjs verification_key.json for Groth16Verifier "
                  "(the local chain's: configs/verification_key_hardhat.json)")
      ->required();
  cmd->add_flag("--test-verifier", o->test_verifier,
                "The devnet's marketplace is TestMarketplace (TestVerifier accepts any non-zero "
                "proof) instead of Marketplace (Groth16Verifier)");
  cmd->add_option("--token", o->token,
                  "Use this token instead of deploying TestToken (no mints; addresses then "
                  "differ from the reference ones)");
  cmd->add_option("--out", o->out, "Devnet file to write (mode 600: it holds the keys)")
      ->capture_default_str();
  cmd->callback([o, rc] {
    const nlohmann::json d = devnet::deploy_chain(*o);
    std::cout << "deployed on chain " << d["chainId"] << ": marketplace " << d["marketplace"]
              << " (" << d["verifier"] << "), token " << d["token"] << " -> " << o->out << "\n";
    *rc = 0;
  });
}

}  // namespace codex::agent
