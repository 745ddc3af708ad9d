// The on-chain Groth16 verifier (Groth16Verifier or TestVerifier, spec §5.6, §11):
// verify(proof, inputs) by eth_call with a fixed gas allowance, because the
// pairing precompile running out of gas returns false instead of reverting, so an
// estimated allowance can turn a valid proof into "false" (§17).
#pragma once

#include <vector>

#include "agent/eth/contract_abi.h"
#include "agent/eth/eth_client.h"
#include "agent/market/types.h"

namespace codex::market {

class VerifierContract {
 public:
  static constexpr uint64_t kVerifyGas = 1'000'000;  // a true verify needs ~286k

  // `eth` must outlive this object.
  VerifierContract(eth::EthClient& eth, Address address);

  bool verify(const Groth16Proof& proof, const std::vector<Uint256>& inputs);
  const Address& address() const { return address_; }

 private:
  eth::EthClient& eth_;
  Address address_;
  eth::ContractAbi abi_;
};

}  // namespace codex::market
