#include "agent/market/deployment.h"

#include <nlohmann/json.hpp>

#include "agent/market/abi_mapping.h"
#include "agent/market/contract_io.h"
#include "agent/market/proof_mapping.h"
#include "prover/groth16/snarkjs_json.h"

namespace codex::market {

eth::Receipt deploy_artifact(eth::TxSender& deployer, std::string_view artifact,
                             const std::vector<eth::AbiValue>& args, std::string key) {
  std::string text = artifact_json(artifact);
  eth::ContractAbi abi = eth::ContractAbi::parse(text);
  auto j = nlohmann::json::parse(text);
  eth::TxRequest req;
  req.data = abi.encode_deploy(eth::from_hex(j.at("bytecode").get<std::string>()), args);
  req.key = std::move(key);
  std::string what = "deploy " + std::string(artifact);
  eth::Receipt r = send_checked(deployer, req, abi, what);
  if (!r.contract_address) throw std::runtime_error(what + ": receipt has no contract address");
  return r;
}

Deployment deploy_marketplace(eth::TxSender& deployer, const DeploymentPlan& plan) {
  // Parse the key first: a bad key must fail before anything is sent.
  std::optional<prover::groth16::VerificationKey> vk;
  if (!plan.verification_key_json.empty())
    vk = prover::groth16::parse_verification_key_json(plan.verification_key_json);
  const std::string& prefix = plan.key_prefix;
  Deployment d;
  if (plan.token) {
    d.token = *plan.token;
  } else {
    d.token = *deploy_artifact(deployer, "TestToken", {}, prefix + "/token").contract_address;
    eth::ContractAbi token = eth::ContractAbi::parse(artifact_json("TestToken"));
    for (const auto& who : plan.mint_to) {
      eth::TxRequest mint;
      mint.to = d.token;
      mint.data = token.encode_call("mint", {who, plan.mint_amount});
      mint.key = prefix + "/mint/" + who.hex();
      send_checked(deployer, mint, token, "mint");
    }
  }
  d.verifier =
      vk ? *deploy_artifact(deployer, "Groth16Verifier", {verifying_key_to_abi(*vk)},
                            prefix + "/verifier")
                .contract_address
         : *deploy_artifact(deployer, "TestVerifier", {}, prefix + "/verifier").contract_address;
  eth::Receipt m =
      deploy_artifact(deployer, plan.test_marketplace ? "TestMarketplace" : "Marketplace",
                      {to_abi(plan.config), d.token, d.verifier}, prefix + "/marketplace");
  d.marketplace = *m.contract_address;
  d.block = m.block_number;
  return d;
}

}  // namespace codex::market
