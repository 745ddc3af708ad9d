// Marketplace events from a persisted, reorg-aware log watcher, delivered as typed
// structs (DecodedEvent::removed marks events a reorg took back).
#pragma once

#include <functional>
#include <string>

#include "agent/eth/log_watcher.h"
#include "agent/market/events.h"
#include "agent/market/marketplace.h"

namespace codex::market {

class EventWatcher {
 public:
  using Handler = std::function<void(const DecodedEvent&)>;

  // `eth`, `db` and `market` must outlive the watcher. `name` keys the stored
  // position; `start_block` is where a fresh watcher begins.
  EventWatcher(eth::EthClient& eth, sqlite3* db, const Marketplace& market, std::string name,
               uint64_t start_block, Handler handler, uint64_t confirmations = 0);

  // See eth::LogWatcher::poll. Logs that do not decode as marketplace events
  // (foreign topics) are skipped; malformed marketplace logs throw eth::AbiError.
  size_t poll() { return watcher_.poll(); }
  uint64_t next_block() const { return watcher_.next_block(); }

 private:
  eth::LogWatcher watcher_;
};

}  // namespace codex::market
