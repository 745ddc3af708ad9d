// Deploys the marketplace contracts from C++ through a journaled TxSender
// (spec/marketplace.md §13.1): the token (or an existing one), the verifier
// (Groth16Verifier with a snarkjs verifying key, or TestVerifier) and the
// Marketplace (or TestMarketplace) with a configuration. Used by tests and the
// devnet. The chain must be past block 256 (§5.5): mine first on a fresh node.
// Each transaction has an idempotency key under the plan's key prefix, so a
// deployment killed half-way and run again finishes what it started instead
// of deploying a second set of contracts.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/eth/abi_value.h"
#include "agent/eth/tx_sender.h"
#include "agent/market/types.h"

namespace codex::market {

struct DeploymentPlan {
  MarketplaceConfig config;
  // snarkjs verification_key.json text for Groth16Verifier; empty = TestVerifier
  // (accepts every proof but the all-zero one).
  std::string verification_key_json;
  bool test_marketplace = false;  // TestMarketplace: + forciblyFreeSlot and conversions
  std::optional<Address> token;   // use this token instead of deploying TestToken
  std::vector<Address> mint_to;   // TestToken mints `mint_amount` to each
  Uint256 mint_amount = Uint256(1'000'000'000'000'000);  // 1e15, as the reference (§12)
  // Keys "<prefix>/token", "<prefix>/mint/<address>", "<prefix>/verifier",
  // "<prefix>/marketplace". A second deployment from the same journal needs
  // another prefix.
  std::string key_prefix = "deploy";
};

struct Deployment {
  Address token, verifier, marketplace;
  uint64_t block = 0;  // block of the marketplace's creation (where watchers start)
};

// Creates a contract of an embedded artifact with constructor `args`, under
// idempotency `key`. Throws MarketError naming the decoded constructor error
// (e.g. "Proofs_InsufficientBlockHeight"), std::runtime_error for an unknown
// artifact.
eth::Receipt deploy_artifact(eth::TxSender& deployer, std::string_view artifact,
                             const std::vector<eth::AbiValue>& args, std::string key);

// Deploys per `plan`; throws as deploy_artifact, or prover::InvalidInput for a bad
// verifying key.
Deployment deploy_marketplace(eth::TxSender& deployer, const DeploymentPlan& plan);

}  // namespace codex::market
