// Leaf metadata (tree CID, index) → (block CID, proof), dataset deletion and
// TTL maintenance.
#include "exchange/error.h"
#include "exchange/multiformats/multicodec.h"
#include "exchange/store/repo_impl.h"

namespace codex::store {

bool Repo::Impl::put_leaf(Tx x, const Cid& tree, uint64_t index, const Cid& block,
                          std::string_view proof) {
  // Insert first (the common case): one B-tree descent instead of two.
  x.sql("INSERT OR IGNORE INTO store_leaves(tree, idx, block, proof) VALUES(?, ?, ?, ?)")
      .bind_blob(1, tree.bytes())
      .bind(2, static_cast<int64_t>(index))
      .bind_blob(3, block.bytes())
      .bind_blob(4, proof)
      .run();
  if (x.c.changes() == 0) {  // already there
    Statement& q = x.sql("SELECT block FROM store_leaves WHERE tree = ? AND idx = ?");
    Reset r(q);
    q.bind_blob(1, tree.bytes()).bind(2, static_cast<int64_t>(index));
    if (q.step() && q.blob_view(0) != block.bytes())
      throw FormatError("repo: leaf " + std::to_string(index) + " of tree " + tree.to_string() +
                        " is already stored with another block");
    return false;
  }
  // A block not stored yet gets the count when it is put.
  if (block.codec() == multicodec::kBlock)
    x.sql("UPDATE store_blocks SET refcount = refcount + 1 WHERE cid = ?")
        .bind_blob(1, block.bytes())
        .run();
  return true;
}

bool Repo::put_leaf(const Cid& tree, uint64_t index, const Cid& block, std::string_view proof) {
  return impl_->db.write([&](WriteTxn& t) { return in(t).put_leaf(tree, index, block, proof); });
}

std::optional<Leaf> Repo::get_leaf(const Cid& tree, uint64_t index) const {
  if (index > static_cast<uint64_t>(INT64_MAX)) return std::nullopt;
  auto lease = impl_->db.read();
  Statement& q = lease.cached("SELECT block, proof FROM store_leaves WHERE tree = ? AND idx = ?");
  Reset r(q);
  q.bind_blob(1, tree.bytes()).bind(2, static_cast<int64_t>(index));
  if (!q.step()) return std::nullopt;
  return Leaf{Cid::from_bytes(q.blob_view(0)), std::string(q.blob_view(1))};
}

uint64_t Repo::leaf_count(const Cid& tree) const {
  auto lease = impl_->db.read();
  Statement& q = lease.cached("SELECT COUNT(*) FROM store_leaves WHERE tree = ?");
  Reset r(q);
  q.bind_blob(1, tree.bytes());
  return q.step() ? static_cast<uint64_t>(q.int64(0)) : 0;
}

uint64_t Repo::Impl::remove_leaves(Tx x, const Cid& tree, size_t max_leaves) {
  std::vector<std::pair<int64_t, std::string>> leaves;
  {
    Statement& q = x.sql("SELECT idx, block FROM store_leaves WHERE tree = ? ORDER BY idx LIMIT ?");
    Reset r(q);
    q.bind_blob(1, tree.bytes())
        .bind(2, static_cast<int64_t>(std::min<size_t>(max_leaves, INT64_MAX)));
    while (q.step())
      leaves.emplace_back(q.int64(0), std::string(q.blob_view(1)));
  }
  int64_t t = now();
  for (const auto& [idx, block_bytes] : leaves) {
    x.sql("DELETE FROM store_leaves WHERE tree = ? AND idx = ?")
        .bind_blob(1, tree.bytes())
        .bind(2, idx)
        .run();
    Cid block = Cid::from_bytes(std::string_view(block_bytes));
    if (block.codec() != multicodec::kBlock) continue;
    auto row = find_block(x.c, block);
    if (!row) continue;
    row->refcount = std::max<int64_t>(0, row->refcount - 1);
    // An upload in flight that put the block keeps it (it will need it).
    if (row->pins == 0 && (row->refcount == 0 || row->expiry < t))
      remove_block(x, block, *row);
    else  // kept for the upload only: it goes when that upload ends unused
      x.sql("UPDATE store_blocks SET refcount = ?, transient = transient OR ? WHERE id = ?")
          .bind(1, row->refcount)
          .bind(2, row->refcount == 0 ? 1 : 0)
          .bind(3, row->id)
          .run();
  }
  return leaves.size();
}

uint64_t Repo::delete_tree(const Cid& tree, size_t batch_size) {
  if (!tree.valid()) throw FormatError("repo: invalid tree CID");
  if (batch_size == 0) batch_size = 1;
  uint64_t removed = 0;
  for (;;) {
    uint64_t n = impl_->db.write([&](WriteTxn& t) { return in(t).delete_tree(tree, batch_size); });
    removed += n;
    if (n < batch_size) return removed;
  }
}

size_t Repo::run_maintenance(size_t max_entries) {
  if (max_entries == 0) return 0;
  Impl& m = *impl_;
  // Expired blocks first, then (its own transaction) one sparse pack, so
  // that space freed by deletions is reclaimed in bounded steps.
  size_t removed =
      m.db.write([&](WriteTxn& t) { return m.remove_expired(m.join(t), max_entries); });
  m.collect_unheld(max_entries);
  m.retry_releases();
  if (m.packs) m.db.write([&](WriteTxn& t) { m.compact_one(m.join(t)); });
  return removed;
}

size_t Repo::Impl::remove_expired(Tx x, size_t max_entries) {
  std::vector<std::pair<std::string, BlockRow>> expired;
  {
    // Blocks an upload in flight pinned wait for it to end.
    Statement& q = x.sql("SELECT cid, " + std::string(kBlockRowColumns) +
                         " FROM store_blocks WHERE expiry < ? AND pins = 0 "
                         "ORDER BY expiry LIMIT ?");
    Reset r(q);
    q.bind(1, now()).bind(2, static_cast<int64_t>(std::min<size_t>(max_entries, INT64_MAX)));
    while (q.step())
      expired.emplace_back(std::string(q.blob_view(0)), block_row(q, 1));
  }
  for (const auto& [cid_bytes, row] : expired)
    remove_block(x, Cid::from_bytes(std::string_view(cid_bytes)), row);
  return expired.size();
}

}  // namespace codex::store
