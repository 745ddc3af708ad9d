#include "agent/eth/eth_client.h"

#include <nlohmann/json.hpp>

#include "agent/eth/rpc_error.h"

namespace codex::eth {
namespace {

using nlohmann::json;

[[noreturn]] void malformed(const char* what, const std::string& detail) {
  throw RpcError(RpcErrorKind::Malformed, what, detail);
}

const json& field(const json& j, const char* name, const char* what) {
  if (!j.is_object()) malformed(what, "expected an object");
  auto it = j.find(name);
  if (it == j.end()) malformed(what, std::string("missing field '") + name + "'");
  return *it;
}

const std::string& str(const json& j, const char* what) {
  if (!j.is_string()) malformed(what, "expected a string, got " + j.dump().substr(0, 80));
  return j.get_ref<const std::string&>();
}

uint64_t qty(const json& j, const char* what) {
  try {
    return parse_quantity(str(j, what));
  } catch (const std::invalid_argument& e) {
    malformed(what, e.what());
  }
}

Uint256 big(const json& j, const char* what) {
  try {
    const std::string& s = str(j, what);
    if (s.rfind("0x", 0) != 0) malformed(what, "quantity without 0x");
    return Uint256::from_string(s);
  } catch (const std::invalid_argument& e) {
    malformed(what, e.what());
  }
}

Bytes data(const json& j, const char* what) {
  try {
    return from_hex(str(j, what));
  } catch (const std::invalid_argument& e) {
    malformed(what, e.what());
  }
}

Hash hash32(const json& j, const char* what) {
  Hash h;
  try {
    from_hex_exact(str(j, what), h);
  } catch (const std::invalid_argument& e) {
    malformed(what, e.what());
  }
  return h;
}

Address addr(const json& j, const char* what) {
  Address a;
  try {
    from_hex_exact(str(j, what), a.bytes);  // nodes send lower case; no checksum check
  } catch (const std::invalid_argument& e) {
    malformed(what, e.what());
  }
  return a;
}

json call_object(const CallRequest& r) {
  json o = json::object();
  if (r.from) o["from"] = r.from->hex();
  if (r.to) o["to"] = r.to->hex();
  o["data"] = to_hex(r.data);  // some nodes want "input": both are accepted by anvil/hardhat
  if (!r.value.is_zero()) o["value"] = r.value.to_quantity();
  if (r.gas) o["gas"] = quantity(*r.gas);
  return o;
}

}  // namespace

Log parse_log(const json& j) {
  Log l;
  l.address = addr(field(j, "address", "log.address"), "log.address");
  const json& topics = field(j, "topics", "log.topics");
  if (!topics.is_array() || topics.size() > 4)
    malformed("log.topics", "expected an array of at most 4");
  for (const auto& t : topics)
    l.topics.push_back(hash32(t, "log.topics"));
  l.data = data(field(j, "data", "log.data"), "log.data");
  l.block_number = qty(field(j, "blockNumber", "log.blockNumber"), "log.blockNumber");
  l.block_hash = hash32(field(j, "blockHash", "log.blockHash"), "log.blockHash");
  l.transaction_hash =
      hash32(field(j, "transactionHash", "log.transactionHash"), "log.transactionHash");
  l.log_index = qty(field(j, "logIndex", "log.logIndex"), "log.logIndex");
  auto it = j.find("removed");
  l.removed = it != j.end() && it->is_boolean() && it->get<bool>();
  return l;
}

Receipt parse_receipt(const json& j) {
  Receipt r;
  r.transaction_hash = hash32(field(j, "transactionHash", "receipt"), "receipt.transactionHash");
  r.success = qty(field(j, "status", "receipt"), "receipt.status") == 1;
  r.block_number = qty(field(j, "blockNumber", "receipt"), "receipt.blockNumber");
  r.block_hash = hash32(field(j, "blockHash", "receipt"), "receipt.blockHash");
  r.gas_used = qty(field(j, "gasUsed", "receipt"), "receipt.gasUsed");
  if (j.contains("effectiveGasPrice") && !j["effectiveGasPrice"].is_null())
    r.effective_gas_price = big(j["effectiveGasPrice"], "receipt.effectiveGasPrice");
  if (j.contains("contractAddress") && !j["contractAddress"].is_null())
    r.contract_address = addr(j["contractAddress"], "receipt.contractAddress");
  const json& logs = field(j, "logs", "receipt");
  if (!logs.is_array()) malformed("receipt.logs", "expected an array");
  for (const auto& l : logs)
    r.logs.push_back(parse_log(l));
  return r;
}

BlockHeader parse_block(const json& j) {
  if (j.is_null()) throw RpcError(RpcErrorKind::Node, "eth_getBlockByNumber", "no such block");
  BlockHeader b;
  b.number = qty(field(j, "number", "block"), "block.number");
  b.hash = hash32(field(j, "hash", "block"), "block.hash");
  b.parent_hash = hash32(field(j, "parentHash", "block"), "block.parentHash");
  b.timestamp = qty(field(j, "timestamp", "block"), "block.timestamp");
  if (j.contains("baseFeePerGas") && !j["baseFeePerGas"].is_null())
    b.base_fee_per_gas = big(j["baseFeePerGas"], "block.baseFeePerGas");
  return b;
}

uint64_t EthClient::chain_id() {
  return qty(rpc_.call("eth_chainId", json::array()), "eth_chainId");
}
uint64_t EthClient::block_number() {
  return qty(rpc_.call("eth_blockNumber", json::array()), "eth_blockNumber");
}

BlockHeader EthClient::block(const BlockTag& tag) {
  return parse_block(rpc_.call("eth_getBlockByNumber", json::array({tag.to_param(), false})));
}

Uint256 EthClient::balance(const Address& who, const BlockTag& tag) {
  return big(rpc_.call("eth_getBalance", json::array({who.hex(), tag.to_param()})),
             "eth_getBalance");
}

uint64_t EthClient::transaction_count(const Address& who, const BlockTag& tag) {
  return qty(rpc_.call("eth_getTransactionCount", json::array({who.hex(), tag.to_param()})),
             "eth_getTransactionCount");
}

Uint256 EthClient::gas_price() {
  return big(rpc_.call("eth_gasPrice", json::array()), "eth_gasPrice");
}

std::optional<Uint256> EthClient::max_priority_fee() {
  try {
    return big(rpc_.call("eth_maxPriorityFeePerGas", json::array()), "eth_maxPriorityFeePerGas");
  } catch (const RpcError& e) {
    if (e.kind() == RpcErrorKind::Node) return std::nullopt;  // method not supported
    throw;
  }
}

Bytes EthClient::call(const CallRequest& req, const BlockTag& tag) {
  return data(rpc_.call("eth_call", json::array({call_object(req), tag.to_param()})), "eth_call");
}

std::vector<EthClient::CallResult> EthClient::call_batch(const std::vector<CallRequest>& reqs,
                                                         const BlockTag& tag) {
  std::vector<std::pair<std::string, json>> calls;
  calls.reserve(reqs.size());
  for (const auto& r : reqs)
    calls.emplace_back("eth_call", json::array({call_object(r), tag.to_param()}));
  auto replies = rpc_.batch(calls);
  std::vector<CallResult> out(replies.size());
  for (size_t i = 0; i < replies.size(); ++i) {
    try {
      out[i].output = data(result_or_throw("eth_call", replies[i]), "eth_call");
    } catch (const RpcError& e) {
      if (e.kind() == RpcErrorKind::Malformed) throw;
      out[i].error = e.what();
      out[i].reverted = e.kind() == RpcErrorKind::Reverted;
      out[i].revert_data = e.revert_data();
    }
  }
  return out;
}

uint64_t EthClient::estimate_gas(const CallRequest& req) {
  return qty(rpc_.call("eth_estimateGas", json::array({call_object(req)})), "eth_estimateGas");
}

Hash EthClient::send_raw_transaction(const Bytes& raw) {
  return hash32(rpc_.call("eth_sendRawTransaction", json::array({to_hex(raw)})),
                "eth_sendRawTransaction");
}

std::optional<Receipt> EthClient::receipt(const Hash& tx_hash) {
  json r = rpc_.call("eth_getTransactionReceipt", json::array({to_hex(tx_hash)}));
  if (r.is_null()) return std::nullopt;
  return parse_receipt(r);
}

bool EthClient::transaction_known(const Hash& tx_hash) {
  return !rpc_.call("eth_getTransactionByHash", json::array({to_hex(tx_hash)})).is_null();
}

std::vector<Log> EthClient::logs(const LogFilter& filter, uint64_t from_block, uint64_t to_block) {
  json f = {{"fromBlock", quantity(from_block)}, {"toBlock", quantity(to_block)}};
  if (!filter.addresses.empty()) {
    json a = json::array();
    for (const auto& x : filter.addresses)
      a.push_back(x.hex());
    f["address"] = a;
  }
  if (!filter.topics.empty()) {
    json t = json::array();
    for (const auto& alts : filter.topics) {
      if (alts.empty()) {
        t.push_back(nullptr);
        continue;
      }
      json o = json::array();
      for (const auto& h : alts)
        o.push_back(to_hex(h));
      t.push_back(o);
    }
    f["topics"] = t;
  }
  json r = rpc_.call("eth_getLogs", json::array({f}));
  if (!r.is_array()) malformed("eth_getLogs", "expected an array");
  std::vector<Log> out;
  out.reserve(r.size());
  for (const auto& l : r)
    out.push_back(parse_log(l));
  return out;
}

}  // namespace codex::eth
