#include "agent/market/verifier_key.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

#include "agent/eth/hex.h"
#include "agent/eth/keccak.h"
#include "agent/market/proof_mapping.h"
#include "contracts-abi/artifacts.h"

namespace codex::market {
namespace {

using nlohmann::json;

eth::Bytes code_at(eth::EthClient& eth, const Address& a) {
  return eth::from_hex(
      eth.rpc().call("eth_getCode", json::array({a.hex(), "latest"})).get<std::string>());
}

Uint256 storage_at(eth::EthClient& eth, const Address& a, const Uint256& slot) {
  const auto word =
      eth::from_hex(eth.rpc()
                        .call("eth_getStorageAt",
                              json::array({a.hex(), eth::to_hex(slot.to_be_bytes()), "latest"}))
                        .get<std::string>());
  if (word.size() > 32) throw std::runtime_error("eth_getStorageAt: more than 32 bytes");
  std::array<uint8_t, 32> be{};
  std::copy(word.begin(), word.end(), be.end() - word.size());
  return Uint256::from_be_bytes(be);
}

// Addresses pushed whole by the code (PUSH32 of 12 zero bytes and 20 more),
// skipping the data of every PUSH so that no operand is read as an opcode.
std::set<Address> pushed_addresses(const eth::Bytes& code) {
  std::set<Address> out;
  for (size_t pc = 0; pc < code.size(); ++pc) {
    const uint8_t op = code[pc];
    if (op < 0x60 || op > 0x7f) continue;
    const size_t n = op - 0x5f;
    if (op == 0x7f && pc + 32 < code.size()) {
      const uint8_t* w = &code[pc + 1];
      if (std::all_of(w, w + 12, [](uint8_t b) { return b == 0; }) &&
          !std::all_of(w + 12, w + 32, [](uint8_t b) { return b == 0; })) {
        Address a;
        std::copy(w + 12, w + 32, a.bytes.begin());
        out.insert(a);
      }
    }
    pc += n;
  }
  return out;
}

}  // namespace

VerifierKeyCheck check_verifier_key(eth::EthClient& eth, const Address& marketplace,
                                    const prover::groth16::VerificationKey& vk) {
  VerifierKeyCheck c;
  const auto artifact = contracts::find_artifact("Groth16Verifier");
  if (!artifact) {
    c.detail = "no Groth16Verifier artifact embedded";
    return c;
  }
  const auto runtime =
      eth::from_hex(json::parse(*artifact).at("deployedBytecode").get<std::string>());
  const auto want = eth::keccak256(runtime);
  for (const Address& a : pushed_addresses(code_at(eth, marketplace))) {
    if (eth::keccak256(code_at(eth, a)) != want) continue;
    c.verifier = a;
    const std::vector<Uint256> words = verifying_key_words(vk);
    const size_t fixed = 14;  // alpha1, beta2, gamma2, delta2
    const Uint256 ic_len = storage_at(eth, a, Uint256(fixed));
    if (ic_len != Uint256(vk.ic.size())) {
      c.result = VerifierKeyCheck::Result::kMismatch;
      c.detail = "its verifying key has " + ic_len.to_dec() + " IC points, the proving key's " +
                 std::to_string(vk.ic.size());
      return c;
    }
    const std::array<uint8_t, 32> slot14 = Uint256(fixed).to_be_bytes();
    const Uint256 ic_base = Uint256::from_be_bytes(eth::keccak256(slot14));
    for (size_t i = 0; i < words.size(); ++i) {
      const Uint256 slot = i < fixed ? Uint256(i) : ic_base + Uint256(i - fixed);
      if (storage_at(eth, a, slot) != words[i]) {
        c.result = VerifierKeyCheck::Result::kMismatch;
        c.detail = "its verifying key differs from the proving key's at word " + std::to_string(i);
        return c;
      }
    }
    c.result = VerifierKeyCheck::Result::kMatch;
    return c;
  }
  c.detail = "the marketplace's verifier is not a Groth16Verifier of this build (a TestVerifier?)";
  return c;
}

}  // namespace codex::market
