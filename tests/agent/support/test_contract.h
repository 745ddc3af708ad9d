// A tiny hand-assembled contract for chain-layer tests, deployed through anvil's
// unlocked dev account 0:
//   calldata of exactly 4 bytes  -> reverts with the calldata as revert data
//                                   (mimics a parameterless custom error);
//   calldata of >= 32 bytes      -> emits LOG1(topic = calldata[0:32], data = calldata[32:]).
// Runtime: CALLDATACOPY all; if CALLDATASIZE == 4 jump to REVERT; else LOG1; STOP.
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <thread>

#include "agent/eth/address.h"
#include "tests/agent/support/anvil.h"

namespace codex::test {

inline constexpr const char* kDev0 = "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266";

inline constexpr const char* kEmitterInitCode =
    "0x601d600c600039601d6000f336600060003760043614601857600051602036036020a1005b366000fd";

// Sends a transaction from dev account 0 via eth_sendTransaction and returns its receipt.
inline nlohmann::json send_from_dev0(Anvil& anvil, nlohmann::json tx) {
  tx["from"] = kDev0;
  std::string hash = anvil.rpc("eth_sendTransaction", nlohmann::json::array({tx}));
  for (int i = 0; i < 200; ++i) {
    auto r = anvil.rpc("eth_getTransactionReceipt", nlohmann::json::array({hash}));
    if (!r.is_null()) return r;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  throw std::runtime_error("no receipt for " + hash);
}

inline eth::Address deploy_emitter(Anvil& anvil) {
  auto r = send_from_dev0(anvil, {{"data", kEmitterInitCode}});
  return eth::Address::parse(r["contractAddress"].get<std::string>());
}

// Calldata that makes the emitter log `topic` with `data`.
inline std::string emit_calldata(const std::string& topic_hex64, const std::string& data_hex = "") {
  return "0x" + topic_hex64 + data_hex;
}

}  // namespace codex::test
