#include "agent/eth/rpc_error.h"

#include <nlohmann/json.hpp>

namespace codex::eth {
namespace {

using nlohmann::json;

std::optional<Bytes> hex_data(const json& j) {
  if (!j.is_string()) return std::nullopt;
  const std::string& s = j.get_ref<const std::string&>();
  if (s.rfind("0x", 0) != 0) return std::nullopt;
  try {
    return from_hex(s);
  } catch (const std::invalid_argument&) {
    return std::nullopt;
  }
}

}  // namespace

const char* to_string(RpcErrorKind kind) {
  switch (kind) {
    case RpcErrorKind::Transport:
      return "transport";
    case RpcErrorKind::Malformed:
      return "malformed reply";
    case RpcErrorKind::Node:
      return "node error";
    case RpcErrorKind::Reverted:
      return "execution reverted";
  }
  return "?";
}

RpcError::RpcError(RpcErrorKind kind, std::string method, std::string message, int code,
                   Bytes revert_data)
    : std::runtime_error("rpc " + method + ": " + to_string(kind) +
                         (code ? " (" + std::to_string(code) + ")" : "") + ": " + message),
      kind_(kind),
      method_(std::move(method)),
      code_(code),
      revert_data_(std::move(revert_data)) {}

std::optional<Bytes> extract_revert_data(const json& error) {
  if (!error.is_object() || !error.contains("data")) return std::nullopt;
  const json& d = error["data"];
  if (auto b = hex_data(d)) return b;  // anvil, ganache eth_call
  if (!d.is_object()) return std::nullopt;
  if (d.contains("data"))
    if (auto b = hex_data(d["data"])) return b;  // hardhat
  if (d.contains("result"))
    if (auto b = hex_data(d["result"])) return b;  // ganache eth_estimateGas
  for (const auto& [k, v] : d.items())             // ganache v6: keyed by transaction hash
    if (v.is_object() && v.contains("return"))
      if (auto b = hex_data(v["return"])) return b;
  return std::nullopt;
}

RpcError error_from_object(std::string_view method, const json& error) {
  int code = 0;
  std::string message = "unknown error";
  if (error.is_object()) {
    if (error.contains("code") && error["code"].is_number_integer())
      code = error["code"].get<int>();
    if (error.contains("message") && error["message"].is_string())
      message = error["message"].get<std::string>();
    else if (error.contains("data") && error["data"].is_object() &&
             error["data"].contains("message") && error["data"]["message"].is_string())
      message = error["data"]["message"].get<std::string>();
  } else {
    message = error.dump().substr(0, 200);
  }
  auto data = extract_revert_data(error);
  bool reverted = data.has_value() || code == 3 || message.find("revert") != std::string::npos;
  return RpcError(reverted ? RpcErrorKind::Reverted : RpcErrorKind::Node, std::string(method),
                  message, code, data.value_or(Bytes{}));
}

const json& result_or_throw(std::string_view method, const json& entry) {
  if (entry.is_object()) {
    if (entry.contains("error") && !entry["error"].is_null())
      throw error_from_object(method, entry["error"]);
    auto it = entry.find("result");
    if (it != entry.end()) return *it;
  }
  throw RpcError(RpcErrorKind::Malformed, std::string(method),
                 "reply has neither result nor error");
}

}  // namespace codex::eth
