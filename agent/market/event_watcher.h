// Marketplace events from a persisted, reorg-aware log watcher, delivered as typed
// structs (DecodedEvent::removed marks events a reorg took back): the chain's
// EventStream. Each block range is delivered inside one write transaction of
// the data directory's database that also records the position; the handler
// gets it, so its writes commit with the delivery (eth/log_watcher.h).
#pragma once

#include <cstdint>
#include <string>

#include "agent/eth/log_watcher.h"
#include "agent/market/market_api.h"
#include "agent/market/marketplace.h"

namespace codex::market {

class EventWatcher final : public EventStream {
 public:
  // `eth`, `db` and `market` must outlive the watcher. `name` keys the stored
  // position; `start_block` is where a fresh watcher begins. REQUIRES: the
  // calling thread holds no WriteTxn.
  EventWatcher(eth::EthClient& eth, base::sqlite::Database& db, const Marketplace& market,
               std::string name, uint64_t start_block, uint64_t confirmations = 0);

  // See eth::LogWatcher::poll; the handler's txn is never null. Logs that do
  // not decode as marketplace events (foreign topics) are skipped and not
  // counted; malformed marketplace logs throw eth::AbiError.
  size_t poll(const Handler& handler) override;
  uint64_t next_block() const { return watcher_.next_block(); }

 private:
  const Marketplace& market_;
  eth::LogWatcher watcher_;
};

}  // namespace codex::market
