// Follows the logs matching a filter: polls eth_getLogs from the last processed
// block in bounded ranges, persists its position in the data directory's
// database (component "eth_log_watcher"), detects reorgs (a processed block's
// hash changed), re-delivers the dropped logs with `removed = true` and then
// the logs of the new chain.
//
// Exactly-once: each range is delivered inside one write transaction together
// with the new position and the delivered-log records, and the handler gets
// that transaction: what it writes through it (a sale's state, a journaled
// transaction) commits atomically with the position. A crash or a throwing
// handler rolls both back and the range is delivered again. A restart
// continues from the stored position: no block is skipped.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "agent/eth/eth_client.h"
#include "base/sqlite/database.h"

namespace codex::eth {

struct LogWatcherOptions {
  std::string name;  // position key; one per watcher in the database
  LogFilter filter;
  uint64_t start_block = 0;    // first block to scan when no position is stored
  uint64_t max_range = 2000;   // blocks per eth_getLogs
  uint64_t confirmations = 0;  // stay this many blocks behind the head
  unsigned max_ranges_per_poll = 16;
  uint64_t reorg_window = 256;  // blocks of history kept to handle reorgs
};

class LogWatcher {
 public:
  // Gets each log with the transaction that records its delivery. The handler
  // must not begin another transaction on this thread (it would deadlock; the
  // Database refuses it).
  using Handler = std::function<void(const Log&, base::sqlite::WriteTxn&)>;

  // `eth` and `db` must outlive the watcher. Creates the schema and the
  // position row (at start_block when new). REQUIRES: the calling thread holds
  // no WriteTxn. Throws base::StorageError.
  LogWatcher(EthClient& eth, base::sqlite::Database& db, LogWatcherOptions options);
  LogWatcher(const LogWatcher&) = delete;
  LogWatcher& operator=(const LogWatcher&) = delete;

  // Processes what is new up to the head (bounded by max_ranges_per_poll).
  // Returns the number of logs delivered (including removed ones). Throws
  // RpcError on RPC failure, base::StorageError, and whatever the handler
  // throws; the position and the handler's writes of the failed range are then
  // rolled back. RPC calls run outside the write transaction. Not thread-safe:
  // call from one thread. REQUIRES: the calling thread holds no WriteTxn.
  size_t poll(const Handler& handler);

  // The next block to scan.
  uint64_t next_block() const;
  // Number of reorgs handled since construction.
  uint64_t reorgs() const { return reorgs_; }
  // The committed position of the watcher `name` in `db` (its next block to
  // scan), read without a LogWatcher (for metrics); nullopt when no watcher
  // of that name was ever made there. Throws base::StorageError.
  static std::optional<uint64_t> stored_next_block(base::sqlite::Database& db,
                                                   const std::string& name);

 private:
  void handle_reorg_if_any(const Handler& handler, size_t& delivered);
  bool process_range(uint64_t from, uint64_t to, const Handler& handler, size_t& delivered);

  EthClient& eth_;
  base::sqlite::Database& db_;
  LogWatcherOptions opt_;
  uint64_t reorgs_ = 0;
};

}  // namespace codex::eth
