#pragma once
// The one SQLite database of a data directory (DESIGN.md: all state that must
// survive a crash lives in one database). Several components share it: the
// block store, the transaction journal, the log watcher and the roles. Writes
// go through one writer connection, one WriteTxn at a time, so that a sale's
// row, the store's quota, the watcher's position and the journal can change
// in one commit; reads use a pool of connections and run concurrently with
// the writer (WAL).
//
// Durability: WAL with synchronous=NORMAL. A killed process loses nothing
// committed. A power loss may lose the last commits, never consistency; a
// transaction that must survive a power loss (a signed transaction before it
// leaves the process) calls WriteTxn::require_sync(), which syncs the WAL at
// its commit.
//
// Thread-safety: Database is thread-safe. A WriteTxn or ReadLease is used by
// the thread that took it.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "base/sqlite/connection.h"
#include "base/sqlite/statement.h"

namespace codex::base::sqlite {

class WriteTxn;
class ReadLease;
class Claim;

struct DatabaseOptions {
  int busy_timeout_ms = 10'000;
  // Idle read connections kept open (more are opened when needed).
  size_t max_idle_readers = 8;
  // The block store's index is keyed by random CIDs: every batch of an upload
  // dirties pages all over it. With SQLite's default 2 MiB page cache an
  // upload past ~1 GiB re-read index pages from the OS for each insert (3
  // preads per block at 4 GiB against 0.2 at 256 MiB, bench/store_bench
  // BM_Dataset); 32 MiB holds the indexes of some 10 GiB of blocks. Readers
  // (downloads) need less. Caches grow only as pages are used.
  int writer_cache_kib = 32 << 10;
  int reader_cache_kib = 8 << 10;
  // WAL pages between automatic checkpoints (SQLite's default is 1000). A
  // checkpoint copies each page once and syncs twice: a longer WAL (8192
  // pages, 32 MiB, under journal_size_limit) copies the index pages that
  // every batch rewrites once for many batches.
  int wal_autocheckpoint_pages = 8192;
  // The WAL is truncated to this size after a checkpoint.
  int64_t journal_size_limit = 64ll << 20;
};

class Database {
 public:
  // Opens (creating if needed) the database file in WAL mode. Throws
  // base::StorageError when it cannot be opened or is not a database.
  static std::unique_ptr<Database> open(const std::filesystem::path& path,
                                        DatabaseOptions options = {});
  ~Database();  // REQUIRES: no WriteTxn or ReadLease alive
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // Starts a write transaction (BEGIN IMMEDIATE), waiting until the writer is
  // free. Throws std::logic_error if this thread already holds one (that
  // would deadlock), base::StorageError if SQLite fails.
  WriteTxn begin();
  // Runs fn(WriteTxn&) in a new transaction and commits it; rolls back and
  // rethrows if fn throws. Returns what fn returns.
  template <class F>
  auto write(F&& fn);

  // A read connection from the pool. Each statement sees a consistent
  // snapshot; wrap several in BEGIN/COMMIT on lease.conn() for one snapshot.
  ReadLease read() const;

  // Makes every committed transaction durable against power loss (fdatasync
  // of the WAL). Throws base::StorageError.
  void sync_wal() const;

  // Marks component as open on this database until the Claim goes. For a
  // component that mirrors its rows in memory (the store's quota, its current
  // pack): a second instance would act on stale state. Throws
  // std::logic_error if component is claimed already.
  [[nodiscard]] Claim claim(std::string component);

  const std::filesystem::path& path() const { return path_; }
  // True if the calling thread holds the open WriteTxn.
  bool in_write_txn() const;

 private:
  friend class WriteTxn;
  friend class ReadLease;
  friend class Claim;
  Database(std::filesystem::path path, DatabaseOptions options);
  void release_reader(std::unique_ptr<Connection> c) const;

  std::filesystem::path path_;
  DatabaseOptions options_;
  std::unique_ptr<Connection> writer_;
  std::mutex writer_mu_;
  std::thread::id writer_owner_;  // guarded by owner_mu_
  mutable std::mutex owner_mu_;
  mutable std::mutex pool_mu_;
  mutable std::vector<std::unique_ptr<Connection>> idle_;
  std::mutex claims_mu_;
  std::set<std::string> claims_;
};

// A component's claim on a Database (see Database::claim); released when
// destroyed. REQUIRES: destroyed before the Database.
class Claim {
 public:
  Claim(Claim&& o) noexcept : db_(std::exchange(o.db_, nullptr)), name_(std::move(o.name_)) {}
  Claim& operator=(Claim&&) = delete;
  ~Claim();

 private:
  friend class Database;
  Claim(Database& db, std::string name) : db_(&db), name_(std::move(name)) {}
  Database* db_;
  std::string name_;
};

// One write transaction on the writer connection. Components join it by
// taking a WriteTxn& (their writes then commit or roll back with the
// caller's), and register what must happen around the commit: work before it
// (sync files the new rows point at, save counters), after it (publish
// in-memory state, unlink files the commit released) and after a rollback
// (undo in-memory state, remove files written for nothing).
// Destruction without commit() rolls back.
class WriteTxn {
 public:
  WriteTxn(WriteTxn&&) noexcept;
  WriteTxn& operator=(WriteTxn&&) = delete;
  WriteTxn(const WriteTxn&) = delete;
  WriteTxn& operator=(const WriteTxn&) = delete;
  ~WriteTxn();

  Connection& conn() { return *db_->writer_; }
  Statement& cached(std::string_view sql) { return conn().cached(sql); }
  void exec(std::string_view sql) { conn().exec(sql); }
  Database& database() { return *db_; }

  // Hooks run in registration order. A before-commit hook may throw: the
  // transaction then rolls back and commit() rethrows. After-commit hooks run
  // once the commit is durable per the options; an exception from one is
  // rethrown by commit() after the others ran (the commit stands).
  void before_commit(std::function<void()> fn);
  void after_commit(std::function<void()> fn);
  void after_rollback(std::function<void()> fn);
  // Runs after the commit once the writer is released (so fn may start its
  // own transactions, and slow work such as an RPC does not hold the writer),
  // and only if the commit is durable as asked: a failed WAL sync of a
  // require_sync() transaction skips these (e.g. a signed transaction is not
  // sent before its journal entry is on disk). An exception from fn is
  // rethrown by commit() after the others ran (the commit stands).
  void after_release(std::function<void()> fn);
  // Per-component state for this transaction (e.g. the store's quota deltas):
  // the slot for key, created empty on first use.
  template <class T>
  T& state(const void* key);

  // Syncs the WAL at commit (survives power loss, not only a killed process).
  void require_sync() { sync_ = true; }

  // Commits. Throws base::StorageError (everything rolled back) or what a
  // hook threw. REQUIRES: open.
  void commit();
  // Rolls back; idempotent, never throws.
  void rollback() noexcept;
  bool open() const { return state_ == State::kOpen; }

 private:
  friend class Database;
  explicit WriteTxn(Database& db, std::unique_lock<std::mutex> lock);
  void finish() noexcept;
  enum class State { kOpen, kCommitted, kRolledBack };

  Database* db_;
  std::unique_lock<std::mutex> lock_;
  State state_ = State::kOpen;
  bool sync_ = false;
  std::vector<std::function<void()>> before_, after_, undo_, release_;
  std::vector<std::pair<const void*, std::shared_ptr<void>>> slots_;
};

// A read connection borrowed from the pool; returned (with its statements
// reset) when the lease ends.
class ReadLease {
 public:
  ReadLease(ReadLease&&) noexcept = default;
  ReadLease& operator=(ReadLease&&) = delete;
  ~ReadLease();
  Connection& conn() { return *conn_; }
  Statement& cached(std::string_view sql) { return conn_->cached(sql); }

 private:
  friend class Database;
  ReadLease(const Database& db, std::unique_ptr<Connection> c) : db_(&db), conn_(std::move(c)) {}
  const Database* db_;
  std::unique_ptr<Connection> conn_;
};

// A nestable savepoint on a connection: rolled back to on destruction unless
// released. Lets a part of a transaction fail without failing the rest.
class Savepoint {
 public:
  explicit Savepoint(Connection& c);
  ~Savepoint();
  Savepoint(const Savepoint&) = delete;
  Savepoint& operator=(const Savepoint&) = delete;
  void release();

 private:
  Connection& c_;
  bool done_ = false;
};

template <class F>
auto Database::write(F&& fn) {
  WriteTxn txn = begin();
  if constexpr (std::is_void_v<decltype(fn(txn))>) {
    fn(txn);
    txn.commit();
  } else {
    auto r = fn(txn);
    txn.commit();
    return r;
  }
}

template <class T>
T& WriteTxn::state(const void* key) {
  for (auto& [k, p] : slots_)
    if (k == key) return *static_cast<T*>(p.get());
  slots_.emplace_back(key, std::make_shared<T>());
  return *static_cast<T*>(slots_.back().second.get());
}

}  // namespace codex::base::sqlite
