// Our Groth16Verifier contract, deployed from C++ with the reference verifying key
// (tests/data/codex-example/verification_key_hardhat.json), accepts the reference
// proof with its public inputs and rejects it with any input changed (§11). The
// snarkjs files are read with the prover's parsers and mapped to the contract
// form by agent/market/proof_mapping, which must equal the vectors' form.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "agent/market/abi_mapping.h"
#include "agent/market/proof_mapping.h"
#include "agent/market/verifier_contract.h"
#include "prover/error.h"
#include "prover/formats/json.h"
#include "prover/groth16/snarkjs_json.h"
#include "tests/agent/support/market_env.h"

namespace codex::market {
namespace {

using nlohmann::json;

std::string example(const std::string& name) {
  return prover::formats::read_text_file(std::string(CODEX_SOURCE_DIR) +
                                         "/tests/data/codex-example/" + name);
}

json vectors() {
  return json::parse(prover::formats::read_text_file(std::string(CODEX_SOURCE_DIR) +
                                                     "/tests/data/codex-abi-vectors.json"));
}

Uint256 u(const json& j) {
  return Uint256::from_string(j.get<std::string>());
}

const Uint256 kR = Uint256::from_string(
    "21888242871839275222246405745257275088548364400416034343698204186575808495617");

TEST(MarketVerifier, ProofMappingMatchesTheVectors) {
  Groth16Proof p = proof_from_prover(prover::groth16::parse_proof_json(example("proof.json")));
  const json vec = vectors();
  const json& v = vec["groth16"]["proof"];
  EXPECT_EQ(p.a.x, u(v["a"]["x"]));
  EXPECT_EQ(p.a.y, u(v["a"]["y"]));
  EXPECT_EQ(p.b.x.real, u(v["b"]["x"]["real"]));
  EXPECT_EQ(p.b.x.imag, u(v["b"]["x"]["imag"]));
  EXPECT_EQ(p.b.y.real, u(v["b"]["y"]["real"]));
  EXPECT_EQ(p.b.y.imag, u(v["b"]["y"]["imag"]));
  EXPECT_EQ(p.c.x, u(v["c"]["x"]));
  EXPECT_EQ(p.c.y, u(v["c"]["y"]));
  auto inputs = inputs_from_prover(prover::groth16::parse_public_json(example("public.json")));
  ASSERT_EQ(inputs.size(), 3u);
  for (size_t i = 0; i < 3; ++i)
    EXPECT_EQ(inputs[i], u(vec["groth16"]["publicInputs"][i]));
  // verify() calldata is byte-identical to the vector.
  eth::ContractAbi abi = eth::ContractAbi::parse(artifact_json("Groth16Verifier"));
  EXPECT_EQ(eth::to_hex(abi.encode_call("verify", {to_abi(p), inputs_to_abi(inputs)})),
            vec["groth16"]["verifyCalldata"].get<std::string>());
}

TEST(MarketVerifier, BadKeyFailsBeforeAnythingIsSent) {
  test::MarketEnv env({}, /*deploy=*/false);
  DeploymentPlan plan;
  plan.verification_key_json = R"({"protocol":"groth16"})";
  EXPECT_THROW(deploy_marketplace(env.sender(0), plan), prover::InvalidInput);
  EXPECT_EQ(env.eth().transaction_count(env.address(0)), 0u);
}

TEST(MarketVerifier, ReferenceProofOnChainAcceptsAndRejectsChanges) {
  DeploymentPlan plan;
  plan.config = test::chain_preset("devnet");
  plan.verification_key_json = example("verification_key_hardhat.json");
  test::MarketEnv env(plan);
  VerifierContract verifier(env.eth(), env.deployment().verifier);

  const Groth16Proof proof =
      proof_from_prover(prover::groth16::parse_proof_json(example("proof.json")));
  const std::vector<Uint256> inputs =
      inputs_from_prover(prover::groth16::parse_public_json(example("public.json")));
  EXPECT_TRUE(verifier.verify(proof, inputs));

  for (size_t i = 0; i < inputs.size(); ++i) {
    auto changed = inputs;
    changed[i] = changed[i] + Uint256(1);
    EXPECT_FALSE(verifier.verify(proof, changed)) << "input " << i << " changed";
  }
  EXPECT_FALSE(verifier.verify(proof, {inputs[1], inputs[0], inputs[2]})) << "reordered";
  EXPECT_FALSE(verifier.verify(proof, {inputs[0], inputs[1] + kR, inputs[2]})) << "input >= r";
  EXPECT_FALSE(verifier.verify(proof, {inputs[0], inputs[1]})) << "too few inputs";
  EXPECT_FALSE(verifier.verify(proof, {inputs[0], inputs[1], inputs[2], Uint256(0)}))
      << "too many inputs";
  Groth16Proof swapped = proof;
  std::swap(swapped.b.x.real, swapped.b.x.imag);
  std::swap(swapped.b.y.real, swapped.b.y.imag);
  EXPECT_FALSE(verifier.verify(swapped, inputs))
      << "G2 real/imag swapped (snarkjs' Solidity order)";
  Groth16Proof off_curve = proof;
  off_curve.a.y = off_curve.a.y + Uint256(1);
  EXPECT_FALSE(verifier.verify(off_curve, inputs)) << "A not on the curve";
  Groth16Proof other_c = proof;
  std::swap(other_c.a, other_c.c);
  EXPECT_FALSE(verifier.verify(other_c, inputs)) << "A and C exchanged";

  // The marketplace deployed with this verifier rejects a bogus fill proof by name.
  Marketplace client = env.market(1), host = env.market(2);
  Request r;
  r.client = env.address(1);
  r.ask = {Uint256(1), Uint256(1), Uint256(1), 1, 1024, 600, 0};
  r.content.cid = {0x01, 0x55};
  r.expiry = 300;
  env.token(1).approve(client.address(), max_price(r.ask), "approve/request");
  client.request_storage(r);
  host.reserve_slot(request_id(r), 0);
  env.token(2).approve(client.address(), collateral_per_slot(r.ask), "approve/collateral");
  try {
    host.fill_slot(request_id(r), 0, proof);  // a valid proof, but for other inputs
    ADD_FAILURE() << "fill accepted";
  } catch (const MarketError& e) {
    EXPECT_EQ(e.name(), "Proofs_InvalidProof");
  }
}

}  // namespace
}  // namespace codex::market
