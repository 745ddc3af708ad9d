// Write transactions: Repo::Impl's begin/commit/rollback and Repo::Batch.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "exchange/crypto/sha256.h"
#include "exchange/error.h"
#include "exchange/multiformats/multicodec.h"
#include "exchange/store/repo_impl.h"

namespace codex::store {

void Repo::Impl::begin() {
  new_files.clear();
  unlink_after_commit.clear();
  tx_used = used;
  tx_reserved = reserved;
  tx_total = total;
  tx_pack = cur_pack;
  tx_size = cur_size;
  tx_packs.clear();
  tx_new_packs.clear();
  remove_packs_after_commit.clear();
  w->begin.run();
}

void Repo::Impl::commit() {
  // Block files must be durable before the index that counts them.
  if (files && opt.durability == Durability::kPowerLoss && !new_files.empty()) files->sync();
  if (packs) {
    if (opt.durability == Durability::kPowerLoss) sync_packs();
    save_packs();
  }
  w->save_usage.bind(1, static_cast<int64_t>(tx_used))
      .bind(2, static_cast<int64_t>(tx_reserved))
      .bind(3, static_cast<int64_t>(tx_total))
      .run();
  w->commit.run();
  publish_usage();
  new_files.clear();
  if (packs) after_pack_commit();
  // With synchronous=NORMAL the commit reaches the disk at the next
  // checkpoint; a deletion must be durable before its files go.
  if (files && opt.durability == Durability::kPowerLoss && !unlink_after_commit.empty()) sync_wal();
  // The deletions are committed: a crash from here on leaves stray files only.
  for (const Cid& cid : unlink_after_commit) {
    try {
      files->remove(cid);
    } catch (const StoreError&) {
      // Committed anyway; the stray file is reported by check_consistency()
      // and swept at the next open after a crash.
    }
  }
  unlink_after_commit.clear();
}

void Repo::Impl::sync_wal() {
  std::filesystem::path wal = db_path;
  wal += "-wal";
  int fd = ::open(wal.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return;  // checkpointed and removed: already in the database
    throw StoreError("repo: cannot open " + wal.string() + ": " + std::strerror(errno));
  }
  int rc = ::fdatasync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0) throw StoreError("repo: cannot sync " + wal.string() + ": " + std::strerror(err));
}

void Repo::Impl::rollback() noexcept {
  try {
    w->rollback.run();
  } catch (const StoreError&) {
    // No transaction was active (SQLite may already have rolled it back).
  }
  for (const Cid& cid : new_files) {
    try {
      files->remove(cid);
    } catch (const StoreError&) {
      // Left as a stray file; the next open after a crash sweeps it.
    }
  }
  new_files.clear();
  unlink_after_commit.clear();
  if (packs) rollback_packs();
  tx_used = used;
  tx_reserved = reserved;
  tx_total = total;
}

// ---- Batch -----------------------------------------------------------------

struct Repo::Batch::State {
  explicit State(Impl& i) : impl(i), lock(i.write_mu) {}
  Impl& impl;
  std::unique_lock<std::mutex> lock;
  bool open = false;    // a transaction is active
  bool broken = false;  // a storage error happened: only rollback is possible
};

Repo::Batch Repo::batch() {
  return Batch(*impl_);
}

Repo::Batch::Batch(Impl& impl) : state_(std::make_unique<State>(impl)) {
  state_->impl.begin();
  state_->open = true;
}

Repo::Batch::~Batch() {
  if (state_ && state_->open) state_->impl.rollback();
}

namespace {

// Runs one write of a batch; a storage error breaks the batch.
template <typename F>
auto guarded(bool& open, bool& broken, F&& f) {
  if (!open) throw StoreError("repo: batch already committed or rolled back");
  if (broken) throw StoreError("repo: batch failed earlier; it can only be rolled back");
  try {
    return f();
  } catch (const StoreError&) {
    broken = true;
    throw;
  }
}

}  // namespace

bool Repo::Batch::put_block(const Cid& cid, std::span<const uint8_t> bytes,
                            std::optional<int64_t> expiry) {
  return guarded(state_->open, state_->broken,
                 [&] { return state_->impl.put_block(cid, bytes, expiry); });
}

bool Repo::Batch::put_block_checked(const Cid& cid, std::span<const uint8_t> bytes,
                                    std::optional<int64_t> expiry) {
  if (!cid.valid()) throw FormatError("repo: invalid block CID");
  if (cid.hash().code() != multicodec::kSha2_256)
    throw FormatError("repo: cannot verify a block whose CID does not use sha2-256");
  Digest32 d = sha256(bytes);
  if (std::string_view(reinterpret_cast<const char*>(d.data()), d.size()) != cid.hash().digest())
    throw FormatError("repo: bytes do not hash to " + cid.to_string());
  return put_block(cid, bytes, expiry);
}

bool Repo::Batch::put_leaf(const Cid& tree, uint64_t index, const Cid& block,
                           std::string_view proof) {
  return guarded(state_->open, state_->broken,
                 [&] { return state_->impl.put_leaf(tree, index, block, proof); });
}

void Repo::Batch::commit() {
  if (!state_->open) throw StoreError("repo: batch already committed or rolled back");
  if (state_->broken) {
    state_->impl.rollback();
    state_->open = false;
    throw StoreError("repo: batch failed earlier and was rolled back");
  }
  state_->open = false;
  try {
    state_->impl.commit();
  } catch (...) {
    state_->impl.rollback();
    throw;
  }
  state_->lock.unlock();
}

}  // namespace codex::store
