#pragma once
// How a Repo is opened (spec node.md §9).
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>

namespace codex::store {

// Where block bytes live. The metadata is always in the data directory's
// SQLite database.
// bench/store_bench.cpp compares them; kPacks is the fastest and the default
// (kFiles spends most of an upload creating inodes).
enum class BlockStorage {
  kFiles,   // a sharded folder of files (blocks/xx/<cid>)
  kSqlite,  // BLOBs in the database itself
  kPacks,   // appended to large pack files (packs/<id>.pack), located by the index
};

// What a commit survives. The default is kProcessCrash, like the reference
// (which never syncs) and the node's --repo-durability.
enum class Durability {
  // A killed process never leaves the store inconsistent, but a power loss or
  // kernel crash may leave indexed block files with missing bytes
  // (check_consistency() then reports them). No fsync per batch: bytes are
  // written (write/pwrite) before the index commits.
  kProcessCrash,
  // Also power loss: new block bytes are synced before the index commits (one
  // syncfs per batch for kFiles, an fdatasync of the packs written for kPacks). SQLite runs WAL
  // with synchronous=NORMAL in both modes:
  // a crash may lose the last transactions, never consistency.
  kPowerLoss,
};

struct RepoOptions {
  // The folder of the block bytes (<data-dir>/repo in a node, see
  // data_dir.h): created with mode 0700 if missing; refused if group or
  // others have any permission on it.
  std::filesystem::path dir;
  uint64_t quota_bytes = 20ull << 30;                              // --storage-quota (20 GiB)
  std::chrono::seconds default_ttl = std::chrono::hours(24 * 30);  // --block-ttl (30 days)
  // Unix seconds; injectable for tests. Empty means the system clock. Called
  // from any thread that uses the repo, so it must be thread-safe.
  std::function<int64_t()> now;
  // Chosen when the repo is created (default kPacks) and recorded in it; left
  // empty, open() uses the recorded one; set, it must match (else StoreError).
  // After open(), Repo::options().storage holds the storage in use.
  std::optional<BlockStorage> storage;
  Durability durability = Durability::kProcessCrash;

  // kPacks only. A pack stops taking blocks once it holds pack_bytes (it may
  // exceed it by one block). run_maintenance() compacts at most one pack per
  // call whose live bytes are below compact_below_percent of its size
  // (copying its live blocks to the current pack); a pack with no live block
  // left is removed at the commit that empties it.
  uint64_t pack_bytes = 64ull << 20;
  unsigned compact_below_percent = 50;
};

}  // namespace codex::store
