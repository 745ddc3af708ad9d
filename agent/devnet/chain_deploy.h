#pragma once
// Deploys the marketplace contracts to a fresh chain in the reference order
// (spec marketplace.md §13.1, §13.3), so that on chain 31337 with the dev
// accounts the addresses are the reference node's: token nonce 0, mints 1–20,
// Groth16Verifier 21, TestVerifier 22, Marketplace 23, TestMarketplace 24.
// Used by `codex-agent chain deploy` and `codex-agent devnet`; writes the
// devnet file (format in contracts-abi/README.md "Local chain").
//
// Everything it reads (preset, keys, verification key, token address) is
// checked before the first transaction. The transaction journal is in
// memory: an interrupted deployment is redone on a fresh chain.
#include <nlohmann/json.hpp>
#include <string>

namespace codex::devnet {

struct DeployOptions {
  std::string rpc_url;
  std::string preset_file;
  std::string keys_file;
  std::string verification_key_file;
  std::string token;  // empty: deploy TestToken and mint
  bool test_verifier = false;
  std::string out = "devnet.json";
};

// Deploys and writes o.out (mode 600: it holds the keys); returns its JSON.
// Throws std::runtime_error / std::invalid_argument with the reason.
nlohmann::json deploy_chain(const DeployOptions& o);

}  // namespace codex::devnet
