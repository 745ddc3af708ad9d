// Follows the logs matching a filter: polls eth_getLogs from the last processed
// block in bounded ranges, persists its position in SQLite, detects reorgs (a
// processed block's hash changed), re-delivers the dropped logs with
// `removed = true` and then the logs of the new chain.
//
// Exactly-once: each range is delivered inside one SQLite savepoint together
// with the new position and the delivered-log records, so a handler that writes
// its effects through the same connection has them committed atomically with the
// position; a crash or a throwing handler rolls both back and the range is
// delivered again. A restart continues from the stored position: no block is skipped.
#pragma once

#include <functional>
#include <string>

#include "agent/eth/eth_client.h"
#include "agent/eth/sqlite_db.h"

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
  using Handler = std::function<void(const Log&)>;

  // `eth` and `db` must outlive the watcher. Creates the schema. Throws DbError.
  LogWatcher(EthClient& eth, sqlite3* db, LogWatcherOptions options, Handler handler);
  LogWatcher(const LogWatcher&) = delete;
  LogWatcher& operator=(const LogWatcher&) = delete;

  // Processes what is new up to the head (bounded by max_ranges_per_poll).
  // Returns the number of logs delivered (including removed ones). Throws RpcError
  // on RPC failure and whatever the handler throws; the position is then unchanged.
  // Not thread-safe: call from one thread.
  size_t poll();

  // The next block to scan.
  uint64_t next_block() const;
  // Number of reorgs handled since construction.
  uint64_t reorgs() const { return reorgs_; }

 private:
  void handle_reorg_if_any(size_t& delivered);
  bool process_range(uint64_t from, uint64_t to, size_t& delivered);
  void set_next(uint64_t n);

  EthClient& eth_;
  sqlite3* db_;
  LogWatcherOptions opt_;
  Handler handler_;
  uint64_t reorgs_ = 0;
};

}  // namespace codex::eth
