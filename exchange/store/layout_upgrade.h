#pragma once
// Upgrades a data directory written before the one-database layout, where
// the store kept its index in <dir>/repo/repo.sqlite3 (+ -wal, -shm) and its
// own lock in <dir>/repo/LOCK, to the layout of data_dir.h: the index file
// becomes <dir>/codex.sqlite3. The store's migrations (repo_schema.cpp) then
// bring its tables, still in the old schema, to the current one.
//
// Steps, each safe to interrupt (the next open finishes the work):
//   "checkpoint"  open the old file (SQLite replays its WAL) and switch it to
//                 journal_mode=DELETE: the WAL is copied into the file, which
//                 is synced, and removed; the file is then whole on its own;
//   "move"        rename it to <dir>/codex.sqlite3, sync both folders;
//   "tombstone"   put a small text file at the old name (written aside,
//                 renamed into place): an older build that opens the
//                 directory then fails on "file is not a database" instead of
//                 creating an empty index and sweeping every pack as stray.
//                 Written in every data directory, upgraded or new;
//   "tidy"        remove the old -shm and LOCK.
//
// REQUIRES: the caller holds the data directory's lock.
#include <filesystem>
#include <functional>
#include <string_view>

namespace codex::store {

// Called before each step with its name (tests kill the process there).
using UpgradeStepHook = std::function<void(std::string_view step)>;

// Returns true if an old index was moved. Throws StoreError, naming the files
// and what to do, when both an old index and <dir>/codex.sqlite3 exist, when
// an older process still has the old layout open, or when a step fails.
bool upgrade_layout(const std::filesystem::path& dir, const UpgradeStepHook& before_step = {});

// The old index's path and the tombstone's first line.
std::filesystem::path old_index_path(const std::filesystem::path& dir);
inline constexpr std::string_view kTombstoneHeader = "codex-agent: not a database.";

}  // namespace codex::store
