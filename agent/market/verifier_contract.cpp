#include "agent/market/verifier_contract.h"

#include "agent/eth/rpc_error.h"
#include "agent/market/abi_mapping.h"
#include "agent/market/contract_io.h"
#include "agent/market/proof_mapping.h"

namespace codex::market {

VerifierContract::VerifierContract(eth::EthClient& eth, Address address)
    : eth_(eth), address_(address), abi_(eth::ContractAbi::parse(artifact_json("TestVerifier"))) {}

bool VerifierContract::verify(const Groth16Proof& proof, const std::vector<Uint256>& inputs) {
  eth::CallRequest c;
  c.to = address_;
  c.gas = kVerifyGas;
  c.data = abi_.encode_call("verify", {to_abi(proof), inputs_to_abi(inputs)});
  try {
    return abi_.decode_output("verify", eth_.call(c)).at(0).as_bool();
  } catch (const eth::RpcError& e) {
    if (e.kind() != eth::RpcErrorKind::Reverted) throw;
    ContractIo(eth_, abi_, address_, nullptr).throw_revert("verify", e.revert_data(), "");
  }
}

}  // namespace codex::market
