// The store's part of a write transaction: joining it (Repo::Impl::join and
// the commit hooks), Repo::Txn and Repo::Batch.
#include <algorithm>
#include <stdexcept>

#include "exchange/crypto/sha256.h"
#include "exchange/error.h"
#include "exchange/multiformats/multicodec.h"
#include "exchange/store/repo_impl.h"

namespace codex::store {

Tx Repo::Impl::join(WriteTxn& txn) {
  if (!txn.open()) throw StoreError("repo: the transaction is already committed or rolled back");
  TxState& s = txn.state<TxState>(this);
  Tx x{txn.conn(), s};
  if (s.joined) return x;
  s.joined = true;
  s.used = used;
  s.reserved = reserved;
  s.total = total;
  s.pack = cur_pack;
  s.size = cur_size;
  // The connection and the slot outlive the hooks; the WriteTxn object may move.
  txn.before_commit([this, x] { before_commit(x); });
  txn.after_commit([this, &s] { after_commit(s); });
  txn.after_rollback([this, &s] { after_rollback(s); });
  return x;
}

void Repo::Impl::before_commit(Tx x) {
  TxState& s = x.s;
  s.committing = true;
  if (s.broken)
    throw StoreError("repo: a store write failed earlier in this transaction; it was rolled back");
  // Block bytes must be durable before the index that counts them.
  const bool power_loss = opt.durability == Durability::kPowerLoss;
  if (files && power_loss && !s.new_files.empty()) files->sync();
  if (packs) {
    if (power_loss) sync_packs(s);
    save_packs(x);
  }
  if (s.used != used || s.reserved != reserved || s.total != total)
    x.sql("UPDATE store_usage SET used = ?, reserved = ?, total = ? WHERE id = 1")
        .bind(1, static_cast<int64_t>(s.used))
        .bind(2, static_cast<int64_t>(s.reserved))
        .bind(3, static_cast<int64_t>(s.total))
        .run();
}

void Repo::Impl::after_commit(TxState& s) {
  used = s.used;
  reserved = s.reserved;
  total = s.total;
  s.new_files.clear();
  if (packs) after_pack_commit(s);
  if (s.unlink_after_commit.empty()) return;
  // With synchronous=NORMAL the commit reaches the disk at the next
  // checkpoint; a deletion must be durable before its files go. If that
  // fails the files stay (stray, reported by check_consistency) and the
  // commit (which stands) reports the error.
  if (opt.durability == Durability::kPowerLoss) db.sync_wal();
  // The deletions are committed: a crash from here on leaves stray files only.
  for (const Cid& cid : s.unlink_after_commit) {
    try {
      files->remove(cid);
    } catch (const StoreError&) {
      // Committed anyway; the stray file is reported by check_consistency()
      // and swept at the next open after a crash.
    }
  }
  s.unlink_after_commit.clear();
}

void Repo::Impl::after_rollback(TxState& s) noexcept {
  for (const Cid& cid : s.new_files) {
    try {
      files->remove(cid);
    } catch (const StoreError&) {
      // Left as a stray file; the next open after a crash sweeps it.
    }
  }
  s.new_files.clear();
  s.unlink_after_commit.clear();
  if (packs) rollback_packs(s);
}

// ---- Txn -------------------------------------------------------------------

// Runs one write; an error that may have left it half made breaks the
// transaction (see repo_impl.h).
template <typename F>
auto Repo::Txn::guarded(F&& f) {
  Tx x = impl_->join(*txn_);
  // The usage and the packs are saved by then: a write would not be.
  if (x.s.committing)
    throw std::logic_error("repo: store write from a before-commit hook of its transaction");
  if (x.s.broken)
    throw StoreError(
        "repo: a store write failed earlier in this transaction; it can only roll back");
  try {
    return f(x);
  } catch (const FormatError&) {
    throw;
  } catch (const QuotaError&) {
    throw;
  } catch (const NotFoundError&) {
    throw;
  } catch (...) {
    x.s.broken = true;
    throw;
  }
}

bool Repo::Txn::put_block(const Cid& cid, std::span<const uint8_t> bytes,
                          std::optional<int64_t> expiry) {
  if (!cid.valid()) throw FormatError("repo: invalid block CID");
  if (cid == Cid::empty_block()) return false;
  return guarded([&](Tx x) { return impl_->put_block(x, cid, bytes, expiry); });
}

bool Repo::Txn::put_block_checked(const Cid& cid, std::span<const uint8_t> bytes,
                                  std::optional<int64_t> expiry) {
  if (!cid.valid()) throw FormatError("repo: invalid block CID");
  if (cid.hash().code() != multicodec::kSha2_256)
    throw FormatError("repo: cannot verify a block whose CID does not use sha2-256");
  Digest32 d = sha256(bytes);
  if (std::string_view(reinterpret_cast<const char*>(d.data()), d.size()) != cid.hash().digest())
    throw FormatError("repo: bytes do not hash to " + cid.to_string());
  return put_block(cid, bytes, expiry);
}

bool Repo::Txn::put_leaf(const Cid& tree, uint64_t index, const Cid& block,
                         std::string_view proof) {
  if (!tree.valid() || !block.valid()) throw FormatError("repo: invalid CID in leaf");
  if (index > static_cast<uint64_t>(INT64_MAX)) throw FormatError("repo: leaf index too large");
  return guarded([&](Tx x) { return impl_->put_leaf(x, tree, index, block, proof); });
}

bool Repo::Txn::delete_block(const Cid& cid) {
  if (!cid.valid()) throw FormatError("repo: invalid block CID");
  if (cid == Cid::empty_block()) return false;
  auto row = impl_->find_block(impl_->join(*txn_).c, cid);
  if (!row) return false;
  // Refused before any change: the transaction stays usable.
  if (row->refcount > 0 && row->expiry >= impl_->now())
    throw StoreError("repo: directly deleting a block that is part of a dataset is not allowed (" +
                     cid.to_string() + " has " + std::to_string(row->refcount) + " leaves)");
  if (row->pins > 0)
    throw StoreError("repo: block " + cid.to_string() + " is in use by an upload in flight");
  guarded([&](Tx x) { impl_->remove_block(x, cid, *row); });
  return true;
}

void Repo::Txn::ensure_expiry(const Cid& cid, int64_t t) {
  if (!cid.valid()) throw FormatError("repo: invalid block CID");
  if (t <= 0) throw FormatError("repo: expiry must be positive");
  if (cid == Cid::empty_block()) return;
  guarded([&](Tx x) {
    auto row = impl_->find_block(x.c, cid);
    if (!row) throw NotFoundError("repo: block " + cid.to_string() + " not found");
    if (t > row->expiry)
      x.sql("UPDATE store_blocks SET expiry = ? WHERE id = ?").bind(1, t).bind(2, row->id).run();
  });
}

uint64_t Repo::Txn::delete_tree(const Cid& tree, size_t max_leaves) {
  if (!tree.valid()) throw FormatError("repo: invalid tree CID");
  return guarded([&](Tx x) { return impl_->remove_leaves(x, tree, max_leaves); });
}

void Repo::Txn::reserve(uint64_t bytes) {
  guarded([&](Tx x) {
    TxState& s = x.s;
    const uint64_t quota = impl_->opt.quota_bytes;
    if (s.used + s.reserved + bytes > quota)
      throw QuotaError("repo: cannot reserve " + std::to_string(bytes) + " bytes: used " +
                       std::to_string(s.used) + " + reserved " + std::to_string(s.reserved) +
                       " leaves " + std::to_string(quota - std::min(quota, s.used + s.reserved)));
    s.reserved += bytes;
  });
}

void Repo::Txn::release(uint64_t bytes) {
  guarded([&](Tx x) { x.s.reserved -= std::min(bytes, x.s.reserved); });
}

Usage Repo::Txn::usage() {
  Tx x = impl_->join(*txn_);
  return Usage{x.s.total, impl_->opt.quota_bytes, x.s.used, x.s.reserved};
}

// ---- Upload ----------------------------------------------------------------

namespace {

// Pins an upload took in one transaction: its own once that commits.
struct PendingPins {
  bool hooked = false;
  std::vector<std::string> cids;
};

}  // namespace

bool Repo::Upload::put_block(Batch& batch, const Cid& cid, std::span<const uint8_t> bytes) {
  if (!st_) throw std::logic_error("repo: upload already ended");
  if (!cid.valid()) throw FormatError("repo: invalid block CID");
  if (cid == Cid::empty_block()) return false;
  WriteTxn& txn = batch.txn();
  PendingPins& pending = txn.state<PendingPins>(st_.get());
  const std::string& key = cid.bytes();
  // One pin per upload and block, however often the block repeats.
  bool pin = !st_->pinned.count(key) &&
             std::find(pending.cids.begin(), pending.cids.end(), key) == pending.cids.end();
  bool fresh = batch.store_.guarded(
      [&](Tx x) { return impl_->put_block(x, cid, bytes, std::nullopt, pin); });
  if (pin) {
    pending.cids.push_back(key);
    if (!pending.hooked) {
      pending.hooked = true;
      txn.after_commit([st = st_, &pending] {
        st->pinned.insert(pending.cids.begin(), pending.cids.end());
        pending.cids.clear();
      });
    }
  }
  return fresh;
}

// ---- Batch -----------------------------------------------------------------

Repo::Batch Repo::batch() {
  return Batch(*impl_);
}

Repo::Batch::Batch(Impl& impl) : txn_(impl.db.begin()), store_(impl, txn_) {}

void Repo::Batch::commit() {
  if (!txn_.open()) throw StoreError("repo: batch already committed or rolled back");
  txn_.commit();
}

}  // namespace codex::store
