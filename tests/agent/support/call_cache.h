// eth_calls served from a JSON-RPC batch, for tests that read the same few
// hundred views after every step (the model's differential test). Not thread-safe.
#pragma once

#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "agent/eth/eth_client.h"
#include "agent/eth/rpc_error.h"

namespace codex::test {

// eth_calls at one block served from a JSON-RPC batch: refresh(n) re-reads, at
// block n and in one batch, every call read since the previous refresh; a call not read before is
// sent alone and joins the next batch. A comparison that reads the same few hundred views after
// every step then costs one round trip instead of hundreds. The owner refreshes after the chain
// moved.
class CallCache {
 public:
  explicit CallCache(eth::EthClient& eth) : eth_(eth) {}

  // Reads at block `block` from now on (the latest one the owner knows of).
  void refresh(uint64_t block) {
    block_ = block;
    std::vector<eth::CallRequest> reqs;
    std::map<std::string, Entry> next;
    for (auto& [key, e] : entries_)
      if (e.used) {
        reqs.push_back(e.req);
        next.emplace(key, Entry{e.req, {}, false});
      }
    auto results = eth_.call_batch(reqs, eth::BlockTag::at(block_));
    size_t i = 0;
    for (auto& [key, e] : next)
      e.result = std::move(results.at(i++));
    entries_ = std::move(next);
  }

  // As EthClient::call at the refreshed block (RpcError Reverted on a revert).
  eth::Bytes call(const eth::CallRequest& req) {
    const std::string key =
        (req.from ? req.from->hex() : "") + req.to->hex() + eth::to_hex(req.data);
    auto it = entries_.find(key);
    if (it == entries_.end()) {
      it = entries_.emplace(key, Entry{req, {}, false}).first;
      it->second.result = eth_.call_batch({req}, eth::BlockTag::at(block_)).at(0);
    }
    it->second.used = true;
    const eth::EthClient::CallResult& r = it->second.result;
    if (r.output) return *r.output;
    if (r.revert_data.empty())
      throw std::runtime_error("CallCache: eth_call failed: " + r.error.value_or("?"));
    throw eth::RpcError(eth::RpcErrorKind::Reverted, "eth_call", r.error.value_or("reverted"), 3,
                        r.revert_data);
  }

 private:
  struct Entry {
    eth::CallRequest req;
    eth::EthClient::CallResult result;
    bool used = false;
  };
  eth::EthClient& eth_;
  uint64_t block_ = 0;
  std::map<std::string, Entry> entries_;
};

}  // namespace codex::test
