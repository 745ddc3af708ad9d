// Leaf metadata (tree CID, index) → (block CID, proof), dataset deletion and
// TTL maintenance.
#include "exchange/error.h"
#include "exchange/multiformats/multicodec.h"
#include "exchange/store/repo_impl.h"

namespace codex::store {

bool Repo::Impl::put_leaf(const Cid& tree, uint64_t index, const Cid& block,
                          std::string_view proof) {
  if (!tree.valid() || !block.valid()) throw FormatError("repo: invalid CID in leaf");
  if (index > static_cast<uint64_t>(INT64_MAX)) throw FormatError("repo: leaf index too large");
  // Insert first (the common case): one B-tree descent instead of two.
  w->insert_leaf.bind_blob(1, tree.bytes())
      .bind(2, static_cast<int64_t>(index))
      .bind_blob(3, block.bytes())
      .bind_blob(4, proof)
      .run();
  if (wdb->changes() == 0) {  // already there
    Statement& q = w->find_leaf;
    Reset r(q);
    q.bind_blob(1, tree.bytes()).bind(2, static_cast<int64_t>(index));
    if (q.step() && q.column_blob(0) != block.bytes())
      throw FormatError("repo: leaf " + std::to_string(index) + " of tree " + tree.to_string() +
                        " is already stored with another block");
    return false;
  }
  // A block not stored yet gets the count when it is put.
  if (block.codec() == multicodec::kBlock) w->add_ref.bind_blob(1, block.bytes()).run();
  return true;
}

bool Repo::put_leaf(const Cid& tree, uint64_t index, const Cid& block, std::string_view proof) {
  Batch b = batch();
  bool added = b.put_leaf(tree, index, block, proof);
  b.commit();
  return added;
}

std::optional<Leaf> Repo::get_leaf(const Cid& tree, uint64_t index) const {
  if (index > static_cast<uint64_t>(INT64_MAX)) return std::nullopt;
  auto c = impl_->read();
  Statement& q = c->leaf;
  Reset r(q);
  q.bind_blob(1, tree.bytes()).bind(2, static_cast<int64_t>(index));
  if (!q.step()) return std::nullopt;
  return Leaf{Cid::from_bytes(q.column_blob(0)), std::string(q.column_blob(1))};
}

uint64_t Repo::leaf_count(const Cid& tree) const {
  auto c = impl_->read();
  Statement& q = c->leaf_count;
  Reset r(q);
  q.bind_blob(1, tree.bytes());
  return q.step() ? static_cast<uint64_t>(q.column_int(0)) : 0;
}

uint64_t Repo::delete_tree(const Cid& tree, size_t batch_size) {
  if (!tree.valid()) throw FormatError("repo: invalid tree CID");
  if (batch_size == 0) batch_size = 1;
  Impl& m = *impl_;
  uint64_t removed = 0;
  for (;;) {
    std::lock_guard lk(m.write_mu);
    m.begin();
    try {
      std::vector<std::pair<int64_t, std::string>> leaves;
      {
        Statement& q = m.w->tree_leaves;
        Reset r(q);
        q.bind_blob(1, tree.bytes()).bind(2, static_cast<int64_t>(batch_size));
        while (q.step())
          leaves.emplace_back(q.column_int(0), std::string(q.column_blob(1)));
      }
      int64_t now = m.now();
      for (const auto& [idx, block_bytes] : leaves) {
        m.w->delete_leaf.bind_blob(1, tree.bytes()).bind(2, idx).run();
        Cid block = Cid::from_bytes(std::string_view(block_bytes));
        if (block.codec() != multicodec::kBlock) continue;
        auto row = m.find_block(block);
        if (!row) continue;
        row->refcount = std::max<int64_t>(0, row->refcount - 1);
        if (row->refcount == 0 || row->expiry < now)
          m.remove_block(block, *row);
        else
          m.w->set_refcount.bind(1, row->refcount).bind(2, row->id).run();
      }
      m.commit();
      removed += leaves.size();
      if (leaves.size() < batch_size) return removed;
    } catch (...) {
      m.rollback();
      throw;
    }
  }
}

size_t Repo::run_maintenance(size_t max_entries) {
  if (max_entries == 0) return 0;
  Impl& m = *impl_;
  std::lock_guard lk(m.write_mu);
  // Expired blocks first, then (its own transaction) one sparse pack, so
  // that space freed by deletions is reclaimed in bounded steps.
  size_t removed = m.remove_expired(max_entries);
  if (m.packs) m.compact_one();
  return removed;
}

size_t Repo::Impl::remove_expired(size_t max_entries) {
  Impl& m = *this;
  m.begin();
  try {
    std::vector<std::pair<std::string, BlockRow>> expired;
    {
      Statement& q = m.w->expired;
      Reset r(q);
      q.bind(1, m.now()).bind(2, static_cast<int64_t>(std::min<size_t>(max_entries, INT64_MAX)));
      while (q.step())
        expired.emplace_back(
            std::string(q.column_blob(0)),
            BlockRow{q.column_int(1), static_cast<uint64_t>(q.column_int(2)), q.column_int(3),
                     q.column_int(4), q.column_int(5), static_cast<uint64_t>(q.column_int(6))});
    }
    for (const auto& [cid_bytes, row] : expired)
      m.remove_block(Cid::from_bytes(std::string_view(cid_bytes)), row);
    m.commit();
    return expired.size();
  } catch (...) {
    m.rollback();
    throw;
  }
}

}  // namespace codex::store
