#include "agent/eth/log_watcher.h"

#include <algorithm>

#include "agent/eth/rpc_error.h"
#include "base/error.h"
#include "base/sqlite/migrations.h"

namespace codex::eth {
namespace {

using base::sqlite::Connection;
using base::sqlite::Migration;
using base::sqlite::Reset;
using base::sqlite::WriteTxn;

// Version 1 is the tables the pre-versioning watcher created (IF NOT EXISTS:
// such a database is adopted as it is).
// A function-local static: migrations may run during another translation
// unit's static initialisation (a test's self-child), before a namespace-scope
// array holding std::function would be initialised.
std::span<const Migration> migrations() {
  static const Migration kMigrations[] = {
      {1, R"SQL(
CREATE TABLE IF NOT EXISTS eth_log_watcher (
  name TEXT PRIMARY KEY,
  next_block INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS eth_log_watcher_blocks (
  name TEXT NOT NULL,
  number INTEGER NOT NULL,
  hash BLOB NOT NULL,
  range_start INTEGER NOT NULL,
  PRIMARY KEY (name, number)
);
CREATE TABLE IF NOT EXISTS eth_log_watcher_delivered (
  name TEXT NOT NULL,
  block_number INTEGER NOT NULL,
  block_hash BLOB NOT NULL,
  log_index INTEGER NOT NULL,
  tx_hash BLOB NOT NULL,
  address BLOB NOT NULL,
  topics BLOB NOT NULL,
  data BLOB NOT NULL,
  PRIMARY KEY (name, block_hash, log_index)
);
)SQL"},
  };
  return kMigrations;
}

Hash to_hash(std::string_view b) {
  if (b.size() != 32) throw base::StorageError("log watcher: corrupt hash column");
  Hash h;
  std::copy(b.begin(), b.end(), h.begin());
  return h;
}

uint64_t position(Connection& c, const std::string& name) {
  auto& s = c.cached("SELECT next_block FROM eth_log_watcher WHERE name = ?");
  Reset r(s);
  s.bind(1, name);
  if (!s.step()) throw base::StorageError("log watcher " + name + ": position row missing");
  return static_cast<uint64_t>(s.int64(0));
}

void set_position(WriteTxn& txn, const std::string& name, uint64_t n) {
  auto& s = txn.cached("UPDATE eth_log_watcher SET next_block = ? WHERE name = ?");
  Reset r(s);
  s.bind(1, static_cast<int64_t>(n)).bind(2, name).run();
}

}  // namespace

LogWatcher::LogWatcher(EthClient& eth, base::sqlite::Database& db, LogWatcherOptions options)
    : eth_(eth), db_(db), opt_(std::move(options)) {
  if (opt_.max_range == 0) opt_.max_range = 1;
  db_.write([&](WriteTxn& txn) {
    base::sqlite::migrate(txn, "eth_log_watcher", migrations());
    auto& s = txn.cached("INSERT OR IGNORE INTO eth_log_watcher (name, next_block) VALUES (?, ?)");
    Reset r(s);
    s.bind(1, opt_.name).bind(2, static_cast<int64_t>(opt_.start_block)).run();
  });
}

uint64_t LogWatcher::next_block() const {
  auto lease = db_.read();
  return position(lease.conn(), opt_.name);
}

std::optional<uint64_t> LogWatcher::stored_next_block(base::sqlite::Database& db,
                                                      const std::string& name) {
  auto lease = db.read();
  Connection& c = lease.conn();
  auto& t = c.cached("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?");
  Reset rt(t);
  t.bind(1, "eth_log_watcher");
  if (!t.step()) return std::nullopt;  // no watcher yet: no schema
  auto& s = c.cached("SELECT next_block FROM eth_log_watcher WHERE name = ?");
  Reset r(s);
  s.bind(1, name);
  if (!s.step()) return std::nullopt;
  return static_cast<uint64_t>(s.int64(0));
}

size_t LogWatcher::poll(const Handler& handler) {
  size_t delivered = 0;
  handle_reorg_if_any(handler, delivered);
  const uint64_t head = eth_.block_number();
  if (head < opt_.confirmations) return delivered;
  const uint64_t safe = head - opt_.confirmations;
  for (unsigned i = 0; i < opt_.max_ranges_per_poll; ++i) {
    uint64_t from = next_block();
    if (from > safe) break;
    uint64_t to = std::min(safe, from + opt_.max_range - 1);
    if (!process_range(from, to, handler, delivered)) break;  // chain moved under us: next poll
  }
  return delivered;
}

void LogWatcher::handle_reorg_if_any(const Handler& handler, size_t& delivered) {
  struct Checkpoint {
    uint64_t number;
    Hash hash;
    uint64_t range_start;
  };
  std::vector<Checkpoint> checkpoints;  // newest first
  {
    auto lease = db_.read();
    auto& s = lease.cached(
        "SELECT number, hash, range_start FROM eth_log_watcher_blocks WHERE name = ? ORDER BY "
        "number DESC");
    Reset r(s);
    s.bind(1, opt_.name);
    while (s.step())
      checkpoints.push_back({static_cast<uint64_t>(s.int64(0)), to_hash(s.blob_view(1)),
                             static_cast<uint64_t>(s.int64(2))});
  }
  if (checkpoints.empty()) return;
  auto canonical = [&](uint64_t n, const Hash& h) {
    try {
      return eth_.block(BlockTag::at(n)).hash == h;
    } catch (const RpcError& e) {
      if (e.kind() == RpcErrorKind::Node) return false;  // the block no longer exists
      throw;
    }
  };
  if (canonical(checkpoints.front().number, checkpoints.front().hash)) return;

  // Walk back to the newest checkpoint still on the canonical chain. Without one
  // (a reorg deeper than the window) rescan the oldest range we still know.
  std::optional<uint64_t> ancestor;
  for (size_t i = 1; i < checkpoints.size() && !ancestor; ++i)
    if (canonical(checkpoints[i].number, checkpoints[i].hash)) ancestor = checkpoints[i].number;
  const uint64_t resume = ancestor ? *ancestor + 1 : checkpoints.back().range_start;

  WriteTxn txn = db_.begin();
  std::vector<Log> removed;
  {
    auto& s = txn.cached(
        "SELECT block_number, block_hash, log_index, tx_hash, address, topics, data FROM "
        "eth_log_watcher_delivered "
        "WHERE name = ? AND block_number >= ? ORDER BY block_number DESC, log_index DESC");
    Reset r(s);
    s.bind(1, opt_.name).bind(2, static_cast<int64_t>(resume));
    while (s.step()) {
      Log l;
      l.block_number = static_cast<uint64_t>(s.int64(0));
      l.block_hash = to_hash(s.blob_view(1));
      l.log_index = static_cast<uint64_t>(s.int64(2));
      l.transaction_hash = to_hash(s.blob_view(3));
      auto a = s.blob_view(4);
      if (a.size() != 20) throw base::StorageError("log watcher: corrupt address column");
      std::copy(a.begin(), a.end(), l.address.bytes.begin());
      auto t = s.blob_view(5);
      for (size_t i = 0; i + 32 <= t.size(); i += 32)
        l.topics.push_back(to_hash(t.substr(i, 32)));
      l.data = s.blob(6);
      l.removed = true;
      removed.push_back(std::move(l));
    }
  }
  for (const auto& l : removed) {
    handler(l, txn);
    ++delivered;
  }
  for (const char* sql :
       {"DELETE FROM eth_log_watcher_delivered WHERE name = ? AND block_number >= ?",
        "DELETE FROM eth_log_watcher_blocks WHERE name = ? AND number >= ?"}) {
    auto& s = txn.cached(sql);
    Reset r(s);
    s.bind(1, opt_.name).bind(2, static_cast<int64_t>(resume)).run();
  }
  set_position(txn, opt_.name, resume);
  txn.commit();
  ++reorgs_;
}

bool LogWatcher::process_range(uint64_t from, uint64_t to, const Handler& handler,
                               size_t& delivered) {
  const Hash end_hash = eth_.block(BlockTag::at(to)).hash;
  std::vector<Log> logs = eth_.logs(opt_.filter, from, to);
  // If the range end changed while we read, the logs may mix two forks: retry later.
  if (eth_.block(BlockTag::at(to)).hash != end_hash) return false;
  for (const auto& l : logs) {
    if (l.block_number < from || l.block_number > to)
      throw RpcError(RpcErrorKind::Malformed, "eth_getLogs",
                     "log outside the requested block range");
    if (l.block_number == to && l.block_hash != end_hash) return false;
  }
  std::sort(logs.begin(), logs.end(), [](const Log& a, const Log& b) {
    return a.block_number != b.block_number ? a.block_number < b.block_number
                                            : a.log_index < b.log_index;
  });

  WriteTxn txn = db_.begin();
  if (position(txn.conn(), opt_.name) != from) return false;  // moved by another poller
  for (const auto& l : logs) {
    if (l.removed) continue;
    {
      auto& seen = txn.cached(
          "SELECT 1 FROM eth_log_watcher_delivered WHERE name = ? AND block_hash = ? AND "
          "log_index = ?");
      Reset r(seen);
      seen.bind(1, opt_.name).bind(2, l.block_hash).bind(3, static_cast<int64_t>(l.log_index));
      if (seen.step()) continue;  // already delivered (overlapping re-scan)
    }
    handler(l, txn);
    ++delivered;
    Bytes topics;
    for (const auto& t : l.topics)
      topics.insert(topics.end(), t.begin(), t.end());
    auto& record = txn.cached(
        "INSERT INTO eth_log_watcher_delivered (name, block_number, block_hash, log_index, "
        "tx_hash, address, topics, data) VALUES (?,?,?,?,?,?,?,?)");
    Reset r(record);
    record.bind(1, opt_.name)
        .bind(2, static_cast<int64_t>(l.block_number))
        .bind(3, l.block_hash)
        .bind(4, static_cast<int64_t>(l.log_index))
        .bind(5, l.transaction_hash)
        .bind(6, l.address.bytes)
        .bind(7, topics)
        .bind(8, l.data)
        .run();
  }
  // Checkpoints: the range end, and every block that carried a delivered log, so a
  // reorg rewinds only to the newest block that is still canonical.
  auto checkpoint = [&](uint64_t number, const Hash& hash) {
    auto& cp = txn.cached(
        "INSERT OR REPLACE INTO eth_log_watcher_blocks (name, number, hash, range_start) "
        "VALUES (?,?,?,?)");
    Reset r(cp);
    cp.bind(1, opt_.name)
        .bind(2, static_cast<int64_t>(number))
        .bind(3, hash)
        .bind(4, static_cast<int64_t>(from))
        .run();
  };
  for (const auto& l : logs)
    checkpoint(l.block_number, l.block_hash);
  checkpoint(to, end_hash);
  // Forget history older than the reorg window; keep the delivered records of every
  // range a reorg could still make us rescan, so a rescan never delivers twice.
  const int64_t keep_from =
      static_cast<int64_t>(to > opt_.reorg_window ? to - opt_.reorg_window : 0);
  {
    auto& s = txn.cached("DELETE FROM eth_log_watcher_blocks WHERE name = ? AND number < ?");
    Reset r(s);
    s.bind(1, opt_.name).bind(2, keep_from).run();
  }
  {
    auto& s = txn.cached(
        "DELETE FROM eth_log_watcher_delivered WHERE name = ?1 AND block_number < "
        "(SELECT MIN(range_start) FROM eth_log_watcher_blocks WHERE name = ?1)");
    Reset r(s);
    s.bind(1, opt_.name).run();
  }
  set_position(txn, opt_.name, to + 1);
  txn.commit();
  return true;
}

}  // namespace codex::eth
