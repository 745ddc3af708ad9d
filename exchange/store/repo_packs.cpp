// BlockStorage::kPacks inside Repo::Impl: appends, the pack rows of a
// transaction, recovery at open and compaction.
//
// Ordering (see pack_files.h): bytes are appended past the committed size of
// the current pack, synced (kPowerLoss), then the transaction records the
// blocks' locations and the packs' new sizes and live bytes and commits. A
// crash before the commit leaves an uncommitted tail (cut at open) or a new
// pack without a row (removed at open). A pack whose last live block goes is
// dropped from the index in that transaction and unlinked after it.
//
// Quota: usage().used counts the logical bytes of the indexed blocks, as for
// the other storages. Dead bytes in packs (deleted blocks not yet compacted)
// are not counted; compaction keeps them below (100 - compact_below_percent)%
// of each pack, plus packs not yet visited by maintenance.
#include <string>
#include <tuple>

#include "exchange/error.h"
#include "exchange/store/repo_impl.h"

namespace codex::store {

void Repo::Impl::open_packs(bool crashed) {
  (void)crashed;  // a clean close leaves nothing to repair, so checking is cheap either way
  std::map<int64_t, uint64_t> rows;
  {
    Statement q(*wdb, "SELECT id, size FROM packs");
    Reset r(q);
    while (q.step())
      rows[q.column_int(0)] = static_cast<uint64_t>(q.column_int(1));
  }
  // Packs created by transactions that never committed, or emptied by ones
  // that committed before their unlink.
  packs->sweep([&](std::optional<int64_t> id) { return id && rows.count(*id); });
  // Tails appended by transactions that never committed.
  for (const auto& [id, size] : rows) {
    auto on_disk = packs->file_size(id);
    if (on_disk && *on_disk > size) packs->truncate(id, size);
  }
  cur_pack = 0;
  cur_size = 0;
  if (!rows.empty()) {
    auto [id, size] = *rows.rbegin();
    // Appending resumes only where the file is whole (a power loss in
    // kProcessCrash mode may have cut it: check_consistency reports that).
    if (size < opt.pack_bytes && packs->file_size(id) == size) {
      cur_pack = id;
      cur_size = size;
    }
  }
  tx_pack = cur_pack;
  tx_size = cur_size;
}

std::pair<int64_t, uint64_t> Repo::Impl::append(std::span<const uint8_t> bytes) {
  if (tx_pack == 0 || tx_size >= opt.pack_bytes) {
    w->insert_pack.run();
    int64_t id = wdb->last_insert_rowid();
    tx_new_packs.push_back(id);  // first: a rollback removes even a half-created file
    packs->create(id);
    tx_pack = id;
    tx_size = 0;
    tx_packs[id].size = 0;
  }
  uint64_t off = tx_size;
  packs->write(tx_pack, off, bytes);
  tx_size += bytes.size();
  PackDelta& d = tx_packs[tx_pack];
  d.size = tx_size;
  d.live += static_cast<int64_t>(bytes.size());
  return {tx_pack, off};
}

void Repo::Impl::unappend(int64_t pack, uint64_t size) {
  // Only the last append can be undone; its bytes stay past the size as
  // garbage that the next append overwrites.
  if (pack != tx_pack || size > tx_size) return;
  tx_size -= size;
  PackDelta& d = tx_packs[pack];
  d.size = tx_size;
  d.live -= static_cast<int64_t>(size);
}

bool Repo::Impl::pack_holds(const BlockRow& row) const {
  if (row.pack <= 0) return false;
  auto on_disk = packs->file_size(row.pack);
  return on_disk && *on_disk >= row.off + row.size;
}

void Repo::Impl::sync_packs() {
  for (const auto& [id, d] : tx_packs)
    if (d.size) packs->sync(id);
  if (!tx_new_packs.empty()) packs->sync_dir();
}

void Repo::Impl::save_packs() {
  for (const auto& [id, d] : tx_packs) {
    Statement& u = w->update_pack;
    if (d.size)
      u.bind(1, static_cast<int64_t>(*d.size));
    else
      u.bind_null(1);
    u.bind(2, d.live).bind(3, id).run();
    if (id == tx_pack || d.live >= 0) continue;
    int64_t live = -1;
    {
      Statement& q = w->pack_row;
      Reset r(q);
      q.bind(1, id);
      if (q.step()) live = q.column_int(1);
    }
    if (live == 0) {  // its last block went: drop it now, unlink after the commit
      w->delete_pack.bind(1, id).run();
      remove_packs_after_commit.push_back(id);
    }
  }
}

void Repo::Impl::after_pack_commit() {
  // Committed: nothing below may be undone by a rollback.
  if (write_behind) {
    // Appends go to the current pack, then to packs this transaction created.
    for (const auto& [id, d] : tx_packs)
      if (d.size) write_behind->committed(id, id == cur_pack ? cur_size : 0, *d.size);
  }
  cur_pack = tx_pack;
  cur_size = tx_size;
  tx_packs.clear();
  tx_new_packs.clear();
  std::vector<int64_t> gone;
  gone.swap(remove_packs_after_commit);
  if (gone.empty()) return;
  // The packs' rows are gone only once the commit is durable (kPowerLoss).
  if (opt.durability == Durability::kPowerLoss) sync_wal();
  for (int64_t id : gone) {
    if (write_behind) write_behind->forget(id);
    try {
      packs->remove(id);
    } catch (const StoreError&) {
      // A stray pack: reported by check_consistency(), removed at the next open.
    }
  }
}

void Repo::Impl::rollback_packs() noexcept {
  for (int64_t id : tx_new_packs) {
    try {
      packs->remove(id);
    } catch (const StoreError&) {
      // Left as a stray pack, removed at the next open.
    }
  }
  if (cur_pack != 0 && tx_packs.count(cur_pack) && tx_packs[cur_pack].size) {
    try {
      packs->truncate(cur_pack, cur_size);
    } catch (const StoreError&) {
      // The tail stays as garbage past the committed size; cut at the next open.
    }
  }
  tx_pack = cur_pack;
  tx_size = cur_size;
  tx_packs.clear();
  tx_new_packs.clear();
  remove_packs_after_commit.clear();
}

uint64_t Repo::Impl::compact_one() {
  int64_t victim = 0;
  {
    Statement q(*wdb,
                "SELECT id FROM packs WHERE id != ? AND (live = 0 OR live * 100 < size * ?) "
                "ORDER BY CAST(live AS REAL) / max(size, 1) LIMIT 1");
    Reset r(q);
    q.bind(1, cur_pack).bind(2, static_cast<int64_t>(opt.compact_below_percent));
    if (q.step()) victim = q.column_int(0);
  }
  if (victim == 0) return 0;
  begin();
  try {
    std::vector<std::tuple<int64_t, uint64_t, uint64_t>> live;  // block id, size, offset
    {
      Statement q(*wdb, "SELECT id, size, off FROM blocks WHERE pack = ?");
      Reset r(q);
      q.bind(1, victim);
      while (q.step())
        live.emplace_back(q.column_int(0), static_cast<uint64_t>(q.column_int(1)),
                          static_cast<uint64_t>(q.column_int(2)));
    }
    std::string buf;
    uint64_t copied = 0;
    for (const auto& [id, size, off] : live) {
      if (size > kMaxBlockSize)
        throw StoreError("repo: block row " + std::to_string(id) + " has an absurd size");
      buf.resize(size);
      std::span<uint8_t> dst(reinterpret_cast<uint8_t*>(buf.data()), buf.size());
      if (!packs->read(victim, off, dst))
        throw StoreError("repo: pack " + std::to_string(victim) +
                         " is missing; run check_consistency");
      auto [pack, at] = append(dst);
      w->set_location.bind(1, pack).bind(2, static_cast<int64_t>(at)).bind(3, id).run();
      copied += size;
    }
    // Every block moved: the pack goes whatever its recorded live count says.
    tx_packs.erase(victim);
    w->delete_pack.bind(1, victim).run();
    remove_packs_after_commit.push_back(victim);
    commit();
    return copied;
  } catch (...) {
    rollback();
    throw;
  }
}

}  // namespace codex::store
