#pragma once
// The block repository (spec node.md §9): content-addressed blocks with an
// expiry and a reference count, leaf metadata (tree CID, index) → (block CID,
// proof), the manifest list, and the storage quota.
//
// Layout: the index, the leaves and the quota are tables (store_*, see
// repo_schema.h) of the data directory's one database (data_dir.h), which
// other components share; the block bytes live in options.dir (the data
// directory's repo/):
//   packs/<id>.pack    block bytes (BlockStorage::kPacks, default)
//   blocks/xx/<CID>    block bytes (BlockStorage::kFiles)
//   DIRTY              present while open; found at open ⇒ the last process
//                      died, so stray block files are swept
//
// Transactions: every write runs in a base::sqlite::WriteTxn. A Repo method
// opens its own; Repo::in(txn) writes inside a caller's, so that store
// changes (blocks, leaves, quota reservations) commit or roll back with the
// caller's rows (a sale, the transaction journal) in one commit.
//
// Invariants, kept across any crash (a SIGKILL at any instant, and with
// Durability::kPowerLoss a power loss) and restored by open():
//   - every indexed block is readable and its bytes match its CID and the
//     CRC32C recorded when they were written (blocks stored before v4 of the
//     schema have none);
//   - usage().used == sum of indexed block sizes, total_blocks == their count;
//   - a block's refCount == number of leaves pointing at it (codex-block CIDs);
//   - a tree's leaves are kept while a dataset or an upload holds the tree
//     (store_trees); a block is kept while a leaf points at it, an upload in
//     flight pinned it, or (stored on its own) until its expiry. A block an
//     upload stored goes as soon as none of these holds it;
//   - no block file exists that the index does not count;
//   - kPacks: each pack's recorded live bytes == the sizes of the blocks the
//     index places in it, every block lies within its pack's committed size,
//     and no pack file exists without its row.
// How: a write transaction writes block bytes first (files, or appends past
// the committed end of a pack), syncs them before the commit (kPowerLoss: one
// syncfs for files, an fdatasync per pack written), then commits the index
// with everything else in the transaction; a deletion commits the index first
// (and, kPowerLoss, syncs the WAL) and unlinks the files (or emptied packs)
// after. A crash therefore leaves only files or pack tails the index does not
// count, removed or cut at the next open. The database runs WAL with
// synchronous=NORMAL: a killed process loses nothing committed; a power loss
// may lose the last committed transactions (an upload must then be redone),
// never consistency, and never one part of a transaction without the rest.
//
// Thread-safety: every method of Repo is thread-safe. Reads (get/has/leaves/
// usage) run concurrently with each other and with one writer, on the
// database's read connections; they see committed state only. Writers are
// serialised by the database's one writer: a thread that holds a WriteTxn
// (a Batch's, or its own) must write to the store through it (Repo::in,
// Batch), since Repo's write methods would open a second one and throw
// std::logic_error.
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/sqlite/database.h"
#include "exchange/multiformats/cid.h"
#include "exchange/store/consistency_report.h"
#include "exchange/store/repo_options.h"

namespace codex::store {

struct Usage {
  uint64_t total_blocks = 0;
  uint64_t quota_max = 0;
  uint64_t used = 0;      // bytes of stored blocks
  uint64_t reserved = 0;  // bytes promised to availabilities
};

// Leaf metadata: the block at `index` of a SHA-256 tree and its proof
// (serialised Codex tree proof, spec §1.5).
struct Leaf {
  Cid block;
  std::string proof;
};

struct UploadState;  // repo_impl.h

class Repo {
 public:
  class Txn;
  class Batch;
  class Upload;
  struct Impl;

  // Opens or creates the store on db (the data directory's database), with
  // its block bytes in options.dir: migrates its tables (repo_schema.h) and
  // repairs what a crash left. Throws StoreError if options.dir cannot be
  // created or is accessible by group/others, the database fails or holds a
  // store written by a newer build, or options.storage disagrees with the
  // store's; std::logic_error if a Repo is open on db already.
  // REQUIRES: db outlives the Repo; no WriteTxn open on this thread.
  static std::unique_ptr<Repo> open(base::sqlite::Database& db, RepoOptions options);
  // Waits for no one: destroy only after every Batch and every transaction
  // the store joined (Repo::in) is finished.
  ~Repo();
  Repo(const Repo&) = delete;
  Repo& operator=(const Repo&) = delete;

  // ---- blocks -------------------------------------------------------------
  // Stores a block (spec §9). Returns true if it was new.
  //  - the empty-block CID is a no-op (it is always present);
  //  - existing ⇒ expiry = max(old, new), data re-written if its file is lost;
  //  - expiry: absolute unix seconds; default now + default_ttl.
  // Does not check that bytes hash to cid (callers hash; see put_block_checked).
  // Throws FormatError if cid is invalid or already stored with another size,
  // QuotaError if used + reserved + size > quota, StoreError on I/O failure.
  bool put_block(const Cid& cid, std::span<const uint8_t> bytes,
                 std::optional<int64_t> expiry = {});
  // As put_block, after checking that bytes hash to cid (sha2-256 CIDs only);
  // throws FormatError on a mismatch or another hash function.
  bool put_block_checked(const Cid& cid, std::span<const uint8_t> bytes,
                         std::optional<int64_t> expiry = {});

  // The block's bytes, or nullopt if absent (the empty CID gives "").
  // Bytes are checked against a sha2-256 CID on every read: a mismatch is
  // recorded (check_consistency reports it) and throws CorruptBlockError.
  std::optional<std::string> get_block(const Cid& cid) const;
  // Same into a caller buffer that is reused across calls (download path):
  // out is resized to the block's size. Returns false if absent.
  bool get_block_into(const Cid& cid, std::string& out) const;
  // Reads blocks that all have block_size bytes (a dataset's) into buf, block
  // i at i * block_size, checked together in one multi-buffer SHA-256 pass
  // (the download path). Throws NotFoundError naming the first absent block,
  // FormatError for a block of another size, CorruptBlockError as get_block.
  void read_blocks(std::span<const Cid> cids, uint64_t block_size, std::string& buf) const;
  bool has_block(const Cid& cid) const;
  // Size of a stored block, nullopt if absent.
  std::optional<uint64_t> block_size(const Cid& cid) const;

  // Deletes a block whose refCount is 0 or whose expiry has passed (an
  // expired block's leaves are deleted with it). Returns false if it was not
  // stored. Throws StoreError if the block is part of a dataset (refCount > 0
  // and not expired) or an upload in flight uses it.
  bool delete_block(const Cid& cid);

  // expiry = max(expiry, t). Throws FormatError if t <= 0, NotFoundError if
  // the block is not stored (the empty CID is a no-op).
  void ensure_expiry(const Cid& cid, int64_t t);

  // ---- leaves (tree CID, index) → (block CID, proof) ---------------------
  // Stores the leaf if absent; then, if block is a codex-block CID, its
  // refCount++ (a block stored later starts with the count of its leaves).
  // Returns true if new. Throws FormatError if the leaf exists with another
  // block CID.
  bool put_leaf(const Cid& tree, uint64_t index, const Cid& block, std::string_view proof);
  std::optional<Leaf> get_leaf(const Cid& tree, uint64_t index) const;
  uint64_t leaf_count(const Cid& tree) const;
  // Removes every leaf of tree, in transactions of at most batch_size leaves
  // (other writers run in between). Each removal decrements the block's
  // refCount and deletes the block when it reaches 0 (or it has expired).
  // Returns the number of leaves removed. A crash in the middle leaves a
  // consistent store with part of the tree; calling again finishes the work.
  uint64_t delete_tree(const Cid& tree, size_t batch_size = 1024);

  // ---- datasets -----------------------------------------------------------
  // Starts an upload (see Repo::Upload).
  Upload upload();
  // Deletes the dataset whose manifest block is `manifest` and whose leaves
  // are in `trees`: one transaction removes the manifest and its hold on each
  // tree; then the leaves (and the blocks nothing else uses) of every tree no
  // other dataset or upload holds go, in transactions of at most batch_size
  // leaves. A tree stored without a hold (before store_trees existed, or by
  // put_leaf alone) counts as held by this dataset only. Returns false if the
  // manifest was not stored. A crash in the middle leaves the manifest gone
  // and the rest collected at the next open or maintenance.
  bool delete_dataset(const Cid& manifest, std::span<const Cid> trees, size_t batch_size = 1024);
  // ---- manifests (blocks whose CID codec is codex-manifest, 0xCD01) ------
  std::vector<Cid> manifests() const;

  // ---- quota --------------------------------------------------------------
  Usage usage() const;
  // True if bytes more would fit: used + reserved + bytes < quota (strict,
  // as the reference's "available"). A hint only: put_block and reserve
  // check again in their transaction.
  bool available(uint64_t bytes) const;
  // reserved += bytes; throws QuotaError if used + reserved would exceed quota.
  void reserve(uint64_t bytes);
  // reserved -= bytes, never below 0.
  void release(uint64_t bytes);

  // ---- maintenance --------------------------------------------------------
  // Deletes up to max_entries blocks with expiry < now (and no upload in
  // flight using them), oldest first, in one transaction; returns how many.
  // Then collects the leaves of up to max_entries trees nothing holds (a
  // deletion cut short), retries releasing what failed uploads could not,
  // and, with kPacks, compacts at most one pack (see
  // RepoOptions::compact_below_percent; the pack taking appends included) in
  // a transaction of its own.
  // Unlike the reference, which leaves leaf metadata dangling, the leaves
  // pointing at a deleted block are deleted too (an index on leaves(block)
  // makes this cheap), so refCounts stay exact.
  size_t run_maintenance(size_t max_entries = 1000);

  // Checks every invariant listed at the top of this file, reading every
  // block's bytes in the order they lie on disk (pack by pack) and checking
  // them: verify_bytes re-hashes them against the CID (SHA-256) and checks
  // the CRC32C the index records; without it (`repo check --quick`) only the
  // CRC32C is checked, and blocks stored before checksums existed (schema v4,
  // repo_schema.cpp) are re-hashed instead. A block whose bytes fail either is
  // recorded in store_damage as a read records it (damaged_blocks(); a put of
  // the right bytes heals it); that is the check's only write. Holds the
  // writer for its duration. Throws StoreError if the database fails.
  ConsistencyReport check_consistency(bool verify_bytes = true) const;

  // ---- transactions -------------------------------------------------------
  // The store's side of txn: its writes commit or roll back with txn.
  // Throws std::logic_error if txn is not on this store's database.
  Txn in(base::sqlite::WriteTxn& txn);
  // Blocks found corrupt when read or by check_consistency (their CIDs),
  // most recent first.
  std::vector<Cid> damaged_blocks() const;
  // Opens a write transaction that groups many puts (e.g. 64 blocks and
  // their leaves of an upload). Waits until the writer is free; other
  // writers wait while a batch is open: fill it from data already in memory
  // (never while waiting on the network) and commit.
  Batch batch();

  const RepoOptions& options() const;
  base::sqlite::Database& database() const;

 private:
  explicit Repo(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Store writes inside a caller's write transaction: same semantics and errors
// as the Repo methods of the same name, but nothing is visible to readers or
// durable until the caller commits txn, and a rollback undoes them (block
// bytes written included). FormatError, QuotaError and NotFoundError leave
// the transaction as it was; after any other exception from a store write,
// txn can only roll back (its commit() throws StoreError and rolls back).
// Throws std::logic_error when called from a before-commit hook of txn (the
// store's part is saved by then). Not thread-safe: use from the thread that
// holds txn, while it is open.
class Repo::Txn {
 public:
  bool put_block(const Cid& cid, std::span<const uint8_t> bytes,
                 std::optional<int64_t> expiry = {});
  bool put_block_checked(const Cid& cid, std::span<const uint8_t> bytes,
                         std::optional<int64_t> expiry = {});
  bool put_leaf(const Cid& tree, uint64_t index, const Cid& block, std::string_view proof);
  bool delete_block(const Cid& cid);
  void ensure_expiry(const Cid& cid, int64_t t);
  // Removes up to max_leaves leaves of tree (see Repo::delete_tree); returns
  // how many.
  uint64_t delete_tree(const Cid& tree, size_t max_leaves);
  void reserve(uint64_t bytes);
  void release(uint64_t bytes);
  // Usage as this transaction would commit it.
  Usage usage();

 private:
  friend class Repo;
  friend class Repo::Upload;
  Txn(Impl& impl, base::sqlite::WriteTxn& txn) : impl_(&impl), txn_(&txn) {}
  template <typename F>
  auto guarded(F&& f);
  Impl* impl_;
  base::sqlite::WriteTxn* txn_;
};

// A write transaction of the store's own. commit() makes it durable per
// options().durability; destruction without commit() rolls everything back
// (including block files it wrote). Same semantics and errors as Repo::Txn;
// an exception from a put leaves the batch usable if it was a FormatError or
// QuotaError (that put had no effect), broken otherwise. Other components may
// add their rows to txn(): they commit with the batch.
// Not thread-safe: use from the thread that created it.
class Repo::Batch {
 public:
  ~Batch() = default;  // rolls back unless committed
  Batch(const Batch&) = delete;
  Batch& operator=(const Batch&) = delete;

  bool put_block(const Cid& cid, std::span<const uint8_t> bytes,
                 std::optional<int64_t> expiry = {}) {
    return store_.put_block(cid, bytes, expiry);
  }
  bool put_block_checked(const Cid& cid, std::span<const uint8_t> bytes,
                         std::optional<int64_t> expiry = {}) {
    return store_.put_block_checked(cid, bytes, expiry);
  }
  bool put_leaf(const Cid& tree, uint64_t index, const Cid& block, std::string_view proof) {
    return store_.put_leaf(tree, index, block, proof);
  }
  base::sqlite::WriteTxn& txn() { return txn_; }
  // Throws StoreError if the batch is finished or the commit fails (then
  // everything was rolled back).
  void commit();

 private:
  friend class Repo;
  friend class Repo::Upload;
  explicit Batch(Impl& impl);
  base::sqlite::WriteTxn txn_;
  Txn store_;
};

// An upload in flight (DatasetWriter). The blocks it puts are pinned: no
// deletion of another dataset sharing them and no expiry removes them while
// it is open. hold_tree() keeps a tree's leaves the same way. commit() stores
// the manifest, makes it a holder of its trees and releases the rest.
// Destroyed (or abort()ed) without commit(): the holds and pins are released
// and the blocks and leaves it stored that nothing else uses are deleted at
// once (with kPacks their bytes are freed by punching holes in the packs).
// If that fails (e.g. the disk is full), maintenance retries; holds and pins
// of a killed process are released at the next open.
// Not thread-safe: one thread at a time (it may move between threads).
class Repo::Upload {
 public:
  Upload(Upload&&) noexcept;
  Upload& operator=(Upload&&) = delete;
  Upload(const Upload&) = delete;
  Upload& operator=(const Upload&) = delete;
  ~Upload();

  // Puts a block in batch's transaction, pinned by this upload. Errors as
  // Batch::put_block.
  bool put_block(Batch& batch, const Cid& cid, std::span<const uint8_t> bytes);
  // Holds tree's leaves until commit or abort (its own transaction).
  void hold_tree(const Cid& tree);
  // One transaction: stores the manifest block and, if it is new, counts it
  // as a holder of each of trees; releases this upload's tree holds. Then
  // releases its pins. Returns true if the manifest was new.
  bool commit(const Cid& manifest, std::span<const uint8_t> bytes, std::span<const Cid> trees);
  // Releases everything without a dataset; returns the blocks deleted.
  // Idempotent. Throws StoreError (then maintenance retries).
  uint64_t abort();

 private:
  friend class Repo;
  Upload(Impl& impl, std::shared_ptr<UploadState> st);
  Impl* impl_;
  std::shared_ptr<UploadState> st_;
};

}  // namespace codex::store
