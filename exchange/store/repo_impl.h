#pragma once
// Internals of Repo shared by its .cpp files (repo.cpp: open, recovery,
// blocks, quota; repo_txn.cpp: the store's part of a write transaction and
// Repo::Txn / Repo::Batch; repo_leaves.cpp: leaves, delete_tree,
// maintenance; repo_packs.cpp: pack appends, recovery and compaction;
// repo_check.cpp: check_consistency; repo_schema.cpp: the tables).
// Not part of the public surface.
//
// Every write runs in a base::sqlite::WriteTxn (the caller's, or one a Repo
// method opens). The first store write in a transaction joins it (Impl::join):
// it takes a TxState slot in the transaction, seeded from the committed
// state, and registers the hooks that sync block bytes and save the usage
// before the commit, publish and unlink after it, and undo file writes after a
// rollback. Holding the WriteTxn is holding the writer: the committed state
// below (cur_pack, cur_size) is changed only by after-commit hooks.
//
// Errors: FormatError, QuotaError and NotFoundError are thrown only before an
// operation changes anything; any other exception may leave its changes half
// made, so it marks the transaction's store state broken, and the commit of a
// broken transaction fails and rolls everything back.
#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "base/sqlite/database.h"
#include "exchange/store/block_files.h"
#include "exchange/store/pack_files.h"
#include "exchange/store/repo.h"
#include "exchange/store/write_behind.h"

namespace codex::store {

using base::sqlite::Connection;
using base::sqlite::Reset;
using base::sqlite::Statement;
using base::sqlite::WriteTxn;

// A block row of the index.
struct BlockRow {
  int64_t id = 0;
  uint64_t size = 0;
  int64_t expiry = 0;
  int64_t refcount = 0;
  int64_t pack = 0;  // kPacks: where the bytes are
  uint64_t off = 0;
  int64_t pins = 0;        // uploads in flight that put it
  bool transient = false;  // first stored by an upload: goes when nothing uses it
};

// The columns BlockRow is read from, in its order.
inline constexpr std::string_view kBlockRowColumns =
    "id, size, expiry, refcount, pack, off, pins, transient";
BlockRow block_row(Statement& q, int first_column);

// A range of a pack freed by a deletion (kPacks).
struct PackHole {
  int64_t pack = 0;
  uint64_t off = 0, size = 0;
};

// A pack's changes inside the current write transaction.
struct PackDelta {
  std::optional<uint64_t> size;  // new committed size, if bytes were appended
  int64_t live = 0;              // change of its live bytes
};

// The store's state inside one write transaction (a WriteTxn state slot).
struct TxState {
  bool joined = false;
  bool broken = false;      // a write failed half-way: the commit must fail
  bool committing = false;  // the store's before-commit hook ran: no more writes
  // Usage as this transaction leaves it.
  uint64_t used = 0, reserved = 0, total = 0;
  // kFiles: block files written as new (removed on rollback) and files to
  // unlink once the deletion has committed.
  std::vector<Cid> new_files;
  std::vector<Cid> unlink_after_commit;
  // kPacks: the pack taking appends and its size as this transaction leaves
  // them; the packs it touched or created; packs to unlink after the commit
  // that emptied them.
  int64_t pack = 0;
  uint64_t size = 0;
  std::map<int64_t, PackDelta> packs;
  std::vector<int64_t> new_packs;
  std::vector<int64_t> remove_packs_after_commit;
  // kPacks: ranges of deleted blocks, punched out of their packs once the
  // deletion has committed (the disk space comes back at once).
  std::vector<PackHole> holes;
};

// An upload's pins and tree holds as committed (Repo::Upload::State).
struct UploadState {
  std::unordered_set<std::string> pinned;  // CID bytes of the blocks it pinned
  std::vector<Cid> trees;                  // trees it holds
  bool committed = false;
};

// A joined transaction: the writer connection and the store's state in it.
struct Tx {
  Connection& c;
  TxState& s;
  Statement& sql(std::string_view text) { return c.cached(text); }
};

struct Repo::Impl {
  Impl(base::sqlite::Database& db, RepoOptions options);  // opens, recovers; see Repo::open
  ~Impl();
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  int64_t now() const;
  int64_t default_expiry() const;

  // The store's part of txn, joined on first use. REQUIRES: txn is open, on db.
  Tx join(WriteTxn& txn);
  void before_commit(Tx x);
  void after_commit(TxState& s);
  void after_rollback(TxState& s) noexcept;

  // ---- inside a write transaction ----
  std::optional<BlockRow> find_block(Connection& c, const Cid& cid);
  // pin: an upload's put (pins the block; a new block is transient).
  bool put_block(Tx x, const Cid& cid, std::span<const uint8_t> bytes,
                 std::optional<int64_t> expiry, bool pin = false);
  // Releases one upload's pin; deletes the block if it was transient and
  // nothing uses it any more. Returns true if it was deleted.
  bool unpin(Tx x, const Cid& cid);
  // Adds to a tree's holders (creating its row), never below 0.
  void hold_delta(Tx x, const Cid& tree, int datasets, int uploads);
  bool put_leaf(Tx x, const Cid& tree, uint64_t index, const Cid& block, std::string_view proof);
  // Deletes the block row, its bytes and (if referenced) the leaves pointing at it.
  void remove_block(Tx x, const Cid& cid, const BlockRow& row);
  // Removes up to max_leaves leaves of tree (and blocks left unreferenced).
  uint64_t remove_leaves(Tx x, const Cid& tree, size_t max_leaves);
  // Deletes up to max_entries expired blocks.
  size_t remove_expired(Tx x, size_t max_entries);

  // ---- kPacks, inside a write transaction (repo_packs.cpp) ----
  void open_packs(Connection& c);  // recovery at open
  // Appends bytes to the transaction's pack (starting a new one when it is
  // full); returns (pack, offset). The bytes count as live in that pack.
  std::pair<int64_t, uint64_t> append(Tx x, std::span<const uint8_t> bytes);
  // Undoes the last append after its index insert failed.
  void unappend(TxState& s, int64_t pack, uint64_t size);
  void drop_live(TxState& s, int64_t pack, uint64_t size) {
    s.packs[pack].live -= static_cast<int64_t>(size);
  }
  bool pack_holds(const BlockRow& row) const;  // the row's bytes are on disk
  void sync_packs(const TxState& s);           // before the commit (kPowerLoss)
  void save_packs(Tx x);                       // inside the transaction, before COMMIT
  void after_pack_commit(TxState& s);          // unlinks packs emptied by the commit
  void rollback_packs(TxState& s) noexcept;
  // Copies the live blocks of the sparsest pack below the threshold to the
  // transaction's pack. Returns the bytes copied.
  uint64_t compact_one(Tx x);

  // ---- own transactions (repo_uploads.cpp) ----
  // Removes, in transactions of at most batch leaves, the leaves of tree
  // while its row says nothing holds it; drops the row once it is empty.
  uint64_t collect_tree(const Cid& tree, size_t batch);
  // collect_tree for up to max_trees trees nothing holds.
  uint64_t collect_unheld(size_t max_trees);
  // What a killed process left: pins and tree holds of uploads that died,
  // transient blocks nothing uses.
  void recover_uploads();
  // Releases an upload's holds and pins (see Repo::Upload).
  uint64_t release_upload(UploadState& st);
  // Failed releases, retried by maintenance.
  void retry_releases();

  // ---- reads ----
  // Reads and checks the bytes against the CID (see Repo::get_block).
  // verify false: the caller checks the bytes (Repo::read_blocks).
  bool read_block(const Cid& cid, std::string& out, bool verify = true) const;
  // Records a corrupt block in store_damage (best effort) and throws.
  [[noreturn]] void corrupt(const Cid& cid, const std::string& what) const;

  base::sqlite::Database& db;
  base::sqlite::Claim claim;  // one Repo per database
  RepoOptions opt;
  std::unique_ptr<BlockFiles> files;  // only with BlockStorage::kFiles
  std::unique_ptr<PackFiles> packs;   // only with BlockStorage::kPacks
  // kPacks with kProcessCrash: committed pack bytes go to the disk early.
  std::unique_ptr<WriteBehind> write_behind;

  // Usage as committed (read by usage() without the writer).
  std::atomic<uint64_t> used{0}, reserved{0}, total{0};
  // kPacks: the pack taking appends and its committed size (0: none yet).
  int64_t cur_pack = 0;
  uint64_t cur_size = 0;
  // Uploads whose release failed (e.g. disk full): maintenance retries.
  std::mutex failed_mu;
  std::vector<std::shared_ptr<UploadState>> failed_releases;
};

// The block size the index records can be trusted as a buffer size only up
// to this (blocks are 64 KiB; manifests are small).
constexpr uint64_t kMaxBlockSize = 64ull << 20;

}  // namespace codex::store
