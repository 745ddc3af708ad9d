// Who uses what: uploads in flight (Repo::Upload: pins on the blocks they
// put, holds on their trees), dataset deletion, and the collection of trees
// nothing holds. See the v3 tables in repo_schema.cpp.
//
// Why pins: an upload stores its blocks long before its leaves and manifest
// exist. Without a pin, deleting another dataset that shares a block would
// remove it under the upload (which then returns a CID whose blocks are
// gone), and a failed upload would leave its blocks unreferenced until their
// TTL. With pins, a block an upload stored (transient) goes as soon as no
// leaf and no upload uses it, and no deletion or expiry takes a pinned one.
#include <algorithm>

#include "exchange/error.h"
#include "exchange/store/repo_impl.h"

namespace codex::store {
namespace {

constexpr size_t kReleaseBatch = 4096;
constexpr size_t kCollectBatch = 1024;

}  // namespace

bool Repo::Impl::unpin(Tx x, const Cid& cid) {
  auto row = find_block(x.c, cid);
  if (!row) return false;
  int64_t pins = std::max<int64_t>(0, row->pins - 1);
  if (pins == 0 && row->transient && row->refcount == 0) {
    remove_block(x, cid, *row);
    return true;
  }
  // Once no upload uses it, a block is kept by its leaves or its expiry.
  x.sql("UPDATE store_blocks SET pins = ?, transient = ? WHERE id = ?")
      .bind(1, pins)
      .bind(2, pins > 0 && row->transient ? 1 : 0)
      .bind(3, row->id)
      .run();
  return false;
}

void Repo::Impl::hold_delta(Tx x, const Cid& tree, int datasets, int uploads) {
  x.sql(
       "INSERT INTO store_trees(tree, datasets, uploads) VALUES(?1, max(?2, 0), max(?3, 0)) "
       "ON CONFLICT(tree) DO UPDATE SET datasets = max(datasets + ?2, 0), "
       "uploads = max(uploads + ?3, 0)")
      .bind_blob(1, tree.bytes())
      .bind(2, static_cast<int64_t>(datasets))
      .bind(3, static_cast<int64_t>(uploads))
      .run();
}

uint64_t Repo::Impl::collect_tree(const Cid& tree, size_t batch) {
  uint64_t removed = 0;
  for (;;) {
    // Each batch checks again: an upload of the same bytes may hold the tree
    // by now (it then puts back whatever leaves were removed).
    bool more = db.write([&](WriteTxn& t) {
      Tx x = join(t);
      bool held = true;
      {
        Statement& q = x.sql("SELECT datasets, uploads FROM store_trees WHERE tree = ?");
        Reset r(q);
        q.bind_blob(1, tree.bytes());
        if (q.step()) held = q.int64(0) > 0 || q.int64(1) > 0;
      }
      if (held) return false;
      uint64_t n = remove_leaves(x, tree, batch);
      removed += n;
      if (n == batch) return true;
      x.sql("DELETE FROM store_trees WHERE tree = ?").bind_blob(1, tree.bytes()).run();
      return false;
    });
    if (!more) return removed;
  }
}

uint64_t Repo::Impl::collect_unheld(size_t max_trees) {
  std::vector<Cid> trees;
  {
    auto lease = db.read();
    Statement& q =
        lease.cached("SELECT tree FROM store_trees WHERE datasets = 0 AND uploads = 0 LIMIT ?");
    Reset r(q);
    q.bind(1, static_cast<int64_t>(std::min<size_t>(max_trees, INT64_MAX)));
    while (q.step())
      trees.push_back(Cid::from_bytes(q.blob_view(0)));
  }
  uint64_t removed = 0;
  for (const Cid& tree : trees)
    removed += collect_tree(tree, kCollectBatch);
  return removed;
}

void Repo::Impl::recover_uploads() {
  // Uploads die with their process: nothing holds or pins for them any more.
  db.write([&](WriteTxn& t) {
    join(t);
    t.exec("UPDATE store_trees SET uploads = 0 WHERE uploads > 0");
  });
  collect_unheld(SIZE_MAX);
  std::vector<std::string> cids;
  {
    auto lease = db.read();
    Statement& q = lease.cached("SELECT cid FROM store_blocks WHERE pins > 0 OR transient = 1");
    Reset r(q);
    while (q.step())
      cids.emplace_back(q.blob_view(0));
  }
  for (size_t i = 0; i < cids.size(); i += kReleaseBatch) {
    db.write([&](WriteTxn& t) {
      Tx x = join(t);
      for (size_t j = i; j < std::min(cids.size(), i + kReleaseBatch); ++j) {
        Cid cid = Cid::from_bytes(std::string_view(cids[j]));
        auto row = find_block(x.c, cid);
        if (!row) continue;
        if (row->transient && row->refcount == 0)
          remove_block(x, cid, *row);
        else
          x.sql("UPDATE store_blocks SET pins = 0, transient = 0 WHERE id = ?")
              .bind(1, row->id)
              .run();
      }
    });
  }
}

uint64_t Repo::Impl::release_upload(UploadState& st) {
  // Trees first: their leaves go (when nothing else holds them), so that the
  // blocks are unreferenced when their pins go.
  if (!st.trees.empty()) {
    db.write([&](WriteTxn& t) {
      Tx x = join(t);
      for (const Cid& tree : st.trees)
        x.sql("UPDATE store_trees SET uploads = max(uploads - 1, 0) WHERE tree = ?")
            .bind_blob(1, tree.bytes())
            .run();
    });
    std::vector<Cid> trees;
    trees.swap(st.trees);
    // A failure here leaves an unheld tree: maintenance collects it.
    for (const Cid& tree : trees)
      collect_tree(tree, kCollectBatch);
  }
  uint64_t deleted = 0;
  while (!st.pinned.empty()) {
    std::vector<std::string> chunk;
    for (auto it = st.pinned.begin(); it != st.pinned.end() && chunk.size() < kReleaseBatch; ++it)
      chunk.push_back(*it);
    deleted += db.write([&](WriteTxn& t) {
      Tx x = join(t);
      uint64_t n = 0;
      for (const std::string& c : chunk)
        n += unpin(x, Cid::from_bytes(std::string_view(c))) ? 1 : 0;
      return n;
    });
    for (const std::string& c : chunk)
      st.pinned.erase(c);
  }
  return deleted;
}

void Repo::Impl::retry_releases() {
  std::vector<std::shared_ptr<UploadState>> todo;
  {
    std::lock_guard lk(failed_mu);
    todo.swap(failed_releases);
  }
  for (size_t i = 0; i < todo.size(); ++i) {
    try {
      release_upload(*todo[i]);
    } catch (...) {
      std::lock_guard lk(failed_mu);
      failed_releases.insert(failed_releases.end(), todo.begin() + i, todo.end());
      throw;
    }
  }
}

// ---- Repo ------------------------------------------------------------------

Repo::Upload Repo::upload() {
  return Upload(*impl_, std::make_shared<UploadState>());
}

bool Repo::delete_dataset(const Cid& manifest, std::span<const Cid> trees, size_t batch_size) {
  if (!manifest.valid()) throw FormatError("repo: invalid manifest CID");
  for (const Cid& tree : trees)
    if (!tree.valid()) throw FormatError("repo: invalid tree CID");
  if (batch_size == 0) batch_size = 1;
  Impl& m = *impl_;
  bool existed = m.db.write([&](WriteTxn& t) {
    Tx x = m.join(t);
    auto row = m.find_block(x.c, manifest);
    if (!row) return false;
    // A tree without a row (stored before holds were counted) is this
    // dataset's alone: its row is created at 0 and collected.
    for (const Cid& tree : trees)
      m.hold_delta(x, tree, -1, 0);
    m.remove_block(x, manifest, *row);
    return true;
  });
  // Also when the manifest was gone: finishes a deletion cut short.
  for (const Cid& tree : trees)
    m.collect_tree(tree, batch_size);
  return existed;
}

// ---- Repo::Upload ----------------------------------------------------------

Repo::Upload::Upload(Impl& impl, std::shared_ptr<UploadState> st)
    : impl_(&impl), st_(std::move(st)) {}

Repo::Upload::Upload(Upload&& o) noexcept : impl_(o.impl_), st_(std::move(o.st_)) {}

Repo::Upload::~Upload() {
  try {
    abort();
  } catch (...) {
    // Queued for maintenance by abort().
  }
}

void Repo::Upload::hold_tree(const Cid& tree) {
  if (!st_) throw std::logic_error("repo: upload already ended");
  if (!tree.valid()) throw FormatError("repo: invalid tree CID");
  impl_->db.write([&](WriteTxn& t) { impl_->hold_delta(impl_->join(t), tree, 0, 1); });
  st_->trees.push_back(tree);
}

bool Repo::Upload::commit(const Cid& manifest, std::span<const uint8_t> bytes,
                          std::span<const Cid> trees) {
  if (!st_) throw std::logic_error("repo: upload already ended");
  if (!manifest.valid()) throw FormatError("repo: invalid manifest CID");
  Impl& m = *impl_;
  bool fresh = m.db.write([&](WriteTxn& t) {
    Tx x = m.join(t);
    bool is_new = m.put_block(x, manifest, bytes, std::nullopt);
    // The same manifest stored twice is one dataset.
    if (is_new)
      for (const Cid& tree : trees)
        m.hold_delta(x, tree, 1, 0);
    for (const Cid& tree : st_->trees)
      x.sql("UPDATE store_trees SET uploads = max(uploads - 1, 0) WHERE tree = ?")
          .bind_blob(1, tree.bytes())
          .run();
    return is_new;
  });
  st_->trees.clear();
  st_->committed = true;
  abort();  // the pins: the leaves keep the blocks now
  return fresh;
}

uint64_t Repo::Upload::abort() {
  if (!st_) return 0;
  try {
    uint64_t n = impl_->release_upload(*st_);
    st_.reset();
    return n;
  } catch (...) {
    std::lock_guard lk(impl_->failed_mu);
    impl_->failed_releases.push_back(std::move(st_));
    throw;
  }
}

}  // namespace codex::store
