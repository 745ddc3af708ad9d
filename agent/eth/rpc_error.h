// Errors of the JSON-RPC layer, classified so callers can decide what to retry,
// and the extraction of revert data from the error shapes of different nodes
// (spec/marketplace.md §16.1: anvil, hardhat, ganache).
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <stdexcept>
#include <string>

#include "agent/eth/hex.h"

namespace codex::eth {

enum class RpcErrorKind {
  Transport,  // connect/timeout/dropped connection/HTTP 5xx or 429: retryable
  Malformed,  // reply that is not valid JSON-RPC: retryable
  Node,       // a JSON-RPC error object from the node (bad params, nonce too low, ...)
  Reverted,   // execution reverted; revert_data holds the ABI-encoded reason (may be empty)
};

const char* to_string(RpcErrorKind kind);

class RpcError : public std::runtime_error {
 public:
  RpcError(RpcErrorKind kind, std::string method, std::string message, int code = 0,
           Bytes revert_data = {});

  RpcErrorKind kind() const { return kind_; }
  const std::string& method() const { return method_; }
  int code() const { return code_; }  // JSON-RPC error code (0 when not from the node)
  const Bytes& revert_data() const { return revert_data_; }
  bool retryable() const {
    return kind_ == RpcErrorKind::Transport || kind_ == RpcErrorKind::Malformed;
  }

 private:
  RpcErrorKind kind_;
  std::string method_;
  int code_;
  Bytes revert_data_;
};

// Returns the revert data carried by a JSON-RPC error object, whatever the node's
// shape: "data":"0x…" (anvil, ganache eth_call), "data":{"data":"0x…"} (hardhat),
// "data":{"result":"0x…"} (ganache eth_estimateGas), and ganache's older
// "data":{"<txhash>":{"return":"0x…"}}. nullopt when the error carries none.
std::optional<Bytes> extract_revert_data(const nlohmann::json& error);

// Builds the RpcError for a JSON-RPC error object (kind Reverted when the message
// or code says so or revert data is present, else Node).
RpcError error_from_object(std::string_view method, const nlohmann::json& error);

// Returns entry["result"], or throws error_from_object for an error entry and
// RpcError(Malformed) for an entry with neither.
const nlohmann::json& result_or_throw(std::string_view method, const nlohmann::json& entry);

}  // namespace codex::eth
