#pragma once
// A node's data directory and its one database (DESIGN.md: all state that
// must survive a crash lives in one SQLite database per data directory):
//
//   LOCK                            flock'ed by the one process that has the
//                                   directory open (the kernel drops it when
//                                   that process dies)
//   codex.sqlite3 (+ -wal, -shm)    the database: the store's index and quota
//                                   (tables store_*), and the other
//                                   components' state (the transaction
//                                   journal, the log watcher, the roles),
//                                   each with its own schema version
//   repo/                           the store's block bytes (repo.h)
//   repo/repo.sqlite3               a tombstone, not a database: see
//                                   layout_upgrade.h
//   key                             the node's identity key (net/node_key.h)
//
// Whoever owns the directory (the node, `codex-agent repo check`, a test)
// opens it, then hands database() to the components, which share its one
// writer and may write in one transaction (base/sqlite/database.h).
//
// Thread-safety: database() is thread-safe; DataDir is not changed after
// open().
#include <filesystem>
#include <memory>

#include "base/sqlite/database.h"
#include "exchange/store/layout_upgrade.h"

namespace codex::store {

struct DataDirOptions {
  // Create the directory if it is missing; when false, a missing one is
  // refused (for commands that inspect an existing node).
  bool create = true;
  base::sqlite::DatabaseOptions database;
  // Called before each step of an upgrade of an older layout (tests).
  UpgradeStepHook before_upgrade_step;
};

class DataDir {
 public:
  static constexpr const char* kDatabaseName = "codex.sqlite3";
  static constexpr const char* kLockName = "LOCK";
  static constexpr const char* kRepoDir = "repo";

  // Creates dir (mode 0700) if missing, takes its lock, upgrades the layout
  // of an older build (layout_upgrade.h) and opens the database. Throws
  // StoreError if dir is missing and !options.create, cannot be created, is
  // accessible by group or others, is open in another process (or by another
  // DataDir of this one), cannot be upgraded, or the database cannot be
  // opened; each message names the file and, where the user can, the fix.
  static std::unique_ptr<DataDir> open(std::filesystem::path dir, DataDirOptions options = {});
  // REQUIRES: every component that uses database() is gone.
  ~DataDir();
  DataDir(const DataDir&) = delete;
  DataDir& operator=(const DataDir&) = delete;

  const std::filesystem::path& path() const { return dir_; }
  // <dir>/repo: RepoOptions::dir of the node's store.
  std::filesystem::path repo_dir() const { return dir_ / kRepoDir; }
  base::sqlite::Database& database() const { return *db_; }
  // True if open() moved the block index of an older build into the database.
  bool upgraded_layout() const { return upgraded_; }

 private:
  DataDir(std::filesystem::path dir, int lock_fd);
  std::filesystem::path dir_;
  int lock_fd_;
  bool upgraded_ = false;
  std::unique_ptr<base::sqlite::Database> db_;
};

}  // namespace codex::store
