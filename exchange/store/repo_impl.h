#pragma once
// Internals of Repo shared by its .cpp files (repo.cpp: open, recovery,
// blocks, quota; repo_batch.cpp: transactions; repo_leaves.cpp: leaves,
// delete_tree, maintenance; repo_packs.cpp: pack appends, recovery and
// compaction; repo_check.cpp: check_consistency).
// Not part of the public surface.
#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "exchange/store/block_files.h"
#include "exchange/store/pack_files.h"
#include "exchange/store/repo.h"
#include "exchange/store/sqlite_db.h"
#include "exchange/store/write_behind.h"

namespace codex::store {

// The statements of the one writer connection.
struct WriteStatements {
  explicit WriteStatements(Database& db);
  Statement begin, commit, rollback;
  Statement find_block, insert_block, insert_data, set_expiry, set_refcount, add_ref;
  Statement count_refs, delete_block, delete_data, delete_leaves_of_block;
  Statement find_leaf, insert_leaf, tree_leaves, delete_leaf;
  Statement expired, save_usage;
  // kPacks
  Statement insert_pack, update_pack, pack_row, delete_pack, set_location;
};

// A read connection and its statements; handed out by a pool.
struct ReadConnection {
  explicit ReadConnection(const std::filesystem::path& db_path);
  Database db;
  Statement block_meta;  // size, pack, off
  Statement block_blob, leaf, leaf_count, manifests;
};

// A block row of the index.
struct BlockRow {
  int64_t id = 0;
  uint64_t size = 0;
  int64_t expiry = 0;
  int64_t refcount = 0;
  int64_t pack = 0;  // kPacks: where the bytes are
  uint64_t off = 0;
};

// A pack's changes inside the current write transaction.
struct PackDelta {
  std::optional<uint64_t> size;  // new committed size, if bytes were appended
  int64_t live = 0;              // change of its live bytes
};

struct Repo::Impl {
  Impl(RepoOptions options);  // opens, recovers; see Repo::open
  ~Impl();
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  int64_t now() const;
  int64_t default_expiry() const;

  // ---- with write_mu held ----
  void begin();
  void commit();  // syncs files (kPowerLoss), saves usage, commits, unlinks
  void rollback() noexcept;
  void sync_wal();  // makes the last commit durable (fdatasync of the WAL)
  std::optional<BlockRow> find_block(const Cid& cid);
  bool put_block(const Cid& cid, std::span<const uint8_t> bytes, std::optional<int64_t> expiry);
  bool put_leaf(const Cid& tree, uint64_t index, const Cid& block, std::string_view proof);
  // Deletes the block row, its bytes and (if referenced) the leaves pointing at it.
  void remove_block(const Cid& cid, const BlockRow& row);
  void publish_usage();
  // Deletes up to max_entries expired blocks in one transaction.
  size_t remove_expired(size_t max_entries);

  // ---- kPacks, with write_mu held (repo_packs.cpp) ----
  void open_packs(bool crashed);  // recovery at open
  // Appends bytes to the current pack (starting a new one when it is full);
  // returns (pack, offset). The bytes count as live in that pack.
  std::pair<int64_t, uint64_t> append(std::span<const uint8_t> bytes);
  // Undoes the last append after its index insert failed.
  void unappend(int64_t pack, uint64_t size);
  void drop_live(int64_t pack, uint64_t size) { tx_packs[pack].live -= static_cast<int64_t>(size); }
  bool pack_holds(const BlockRow& row) const;  // the row's bytes are on disk
  void sync_packs();                           // before the commit (kPowerLoss)
  void save_packs();                           // inside the transaction, before COMMIT
  void after_pack_commit();                    // unlinks packs emptied by the commit
  void rollback_packs() noexcept;
  // Copies the live blocks of the sparsest pack below the threshold to the
  // current pack, in its own transaction. Returns the bytes copied.
  uint64_t compact_one();

  // ---- reads ----
  class Lease;
  Lease read() const;
  bool read_block(const Cid& cid, std::string& out) const;

  RepoOptions opt;
  std::filesystem::path db_path;
  int lock_fd = -1;
  std::unique_ptr<BlockFiles> files;  // only with BlockStorage::kFiles
  std::unique_ptr<PackFiles> packs;   // only with BlockStorage::kPacks
  // kPacks with kProcessCrash: committed pack bytes go to the disk early.
  std::unique_ptr<WriteBehind> write_behind;

  mutable std::mutex write_mu;
  std::unique_ptr<Database> wdb;
  std::unique_ptr<WriteStatements> w;

  // Usage inside the current write transaction (write_mu) and as committed
  // (read by usage() without the lock).
  uint64_t tx_used = 0, tx_reserved = 0, tx_total = 0;
  std::atomic<uint64_t> used{0}, reserved{0}, total{0};

  // Block files of the current transaction: written as new (removed on
  // rollback) and to unlink once the deletion has committed.
  std::vector<Cid> new_files;
  std::vector<Cid> unlink_after_commit;

  // kPacks: the pack taking appends and its committed size (cur_pack 0:
  // none yet); the same inside the current transaction; the packs it touched
  // or created; packs to unlink once the commit that emptied them is done.
  int64_t cur_pack = 0, tx_pack = 0;
  uint64_t cur_size = 0, tx_size = 0;
  std::map<int64_t, PackDelta> tx_packs;
  std::vector<int64_t> tx_new_packs;
  std::vector<int64_t> remove_packs_after_commit;

  mutable std::mutex pool_mu;
  mutable std::vector<std::unique_ptr<ReadConnection>> pool;
};

// A read connection borrowed from the pool, returned on destruction.
class Repo::Impl::Lease {
 public:
  Lease(const Impl& impl, std::unique_ptr<ReadConnection> c) : impl_(impl), c_(std::move(c)) {}
  ~Lease();
  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;
  ReadConnection* operator->() const { return c_.get(); }

 private:
  const Impl& impl_;
  std::unique_ptr<ReadConnection> c_;
};

// The block size the index records can be trusted as a buffer size only up
// to this (blocks are 64 KiB; manifests are small).
constexpr uint64_t kMaxBlockSize = 64ull << 20;

}  // namespace codex::store
