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
// are not counted. Their disk space is freed at once: after the commit that
// deletes a block, its range is punched out of its pack (where the file
// system can). Compaction then keeps the dead ranges below
// (100 - compact_below_percent)% of each pack, the pack taking appends
// included (a store whose blocks were all deleted ends with no pack).
#include <algorithm>
#include <string>
#include <tuple>

#include "exchange/error.h"
#include "exchange/store/repo_impl.h"

namespace codex::store {

void Repo::Impl::open_packs(Connection& c) {
  // A clean close leaves nothing to repair, so checking is cheap either way.
  std::map<int64_t, uint64_t> rows;
  {
    Statement& q = c.cached("SELECT id, size FROM store_packs");
    Reset r(q);
    while (q.step())
      rows[q.int64(0)] = static_cast<uint64_t>(q.int64(1));
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
}

std::pair<int64_t, uint64_t> Repo::Impl::append(Tx x, std::span<const uint8_t> bytes) {
  TxState& s = x.s;
  if (s.pack == 0 || s.size >= opt.pack_bytes) {
    x.sql("INSERT INTO store_packs(size, live) VALUES(0, 0)").run();
    int64_t id = x.c.last_insert_rowid();
    s.new_packs.push_back(id);  // first: a rollback removes even a half-created file
    packs->create(id);
    s.pack = id;
    s.size = 0;
    s.packs[id].size = 0;
  }
  uint64_t off = s.size;
  packs->write(s.pack, off, bytes);
  s.size += bytes.size();
  PackDelta& d = s.packs[s.pack];
  d.size = s.size;
  d.live += static_cast<int64_t>(bytes.size());
  return {s.pack, off};
}

void Repo::Impl::unappend(TxState& s, int64_t pack, uint64_t size) {
  // Only the last append can be undone; its bytes stay past the size as
  // garbage that the next append overwrites.
  if (pack != s.pack || size > s.size) return;
  s.size -= size;
  PackDelta& d = s.packs[pack];
  d.size = s.size;
  d.live -= static_cast<int64_t>(size);
}

bool Repo::Impl::pack_holds(const BlockRow& row) const {
  if (row.pack <= 0) return false;
  auto on_disk = packs->file_size(row.pack);
  return on_disk && *on_disk >= row.off + row.size;
}

void Repo::Impl::sync_packs(const TxState& s) {
  for (const auto& [id, d] : s.packs)
    if (d.size) packs->sync(id);
  if (!s.new_packs.empty()) packs->sync_dir();
}

void Repo::Impl::save_packs(Tx x) {
  TxState& s = x.s;
  for (const auto& [id, d] : s.packs) {
    Statement& u =
        x.sql("UPDATE store_packs SET size = coalesce(?, size), live = live + ? WHERE id = ?");
    if (d.size)
      u.bind(1, static_cast<int64_t>(*d.size));
    else
      u.bind_null(1);
    u.bind(2, d.live).bind(3, id).run();
    if (d.live >= 0) continue;
    int64_t live = -1;
    {
      Statement& q = x.sql("SELECT live FROM store_packs WHERE id = ?");
      Reset r(q);
      q.bind(1, id);
      if (q.step()) live = q.int64(0);
    }
    if (live == 0) {  // its last block went: drop it now, unlink after the commit
      x.sql("DELETE FROM store_packs WHERE id = ?").bind(1, id).run();
      s.remove_packs_after_commit.push_back(id);
      if (id == s.pack) {  // the next append starts a new pack
        s.pack = 0;
        s.size = 0;
      }
    }
  }
}

void Repo::Impl::after_pack_commit(TxState& s) {
  // Committed: nothing below may be undone by a rollback.
  if (write_behind) {
    // Appends go to the current pack, then to packs this transaction created.
    for (const auto& [id, d] : s.packs)
      if (d.size) write_behind->committed(id, id == cur_pack ? cur_size : 0, *d.size);
  }
  cur_pack = s.pack;
  cur_size = s.size;
  s.packs.clear();
  s.new_packs.clear();
  std::vector<int64_t> gone;
  gone.swap(s.remove_packs_after_commit);
  std::vector<PackHole> holes;
  holes.swap(s.holes);
  for (const PackHole& h : holes)
    if (std::find(gone.begin(), gone.end(), h.pack) == gone.end())
      packs->punch(h.pack, h.off, h.size);  // else compaction frees it later
  if (gone.empty()) return;
  // The packs' rows are gone only once the commit is durable (kPowerLoss);
  // if the sync fails the packs stay (stray) and the commit reports it.
  if (opt.durability == Durability::kPowerLoss) db.sync_wal();
  for (int64_t id : gone) {
    if (write_behind) write_behind->forget(id);
    try {
      packs->remove(id);
    } catch (const StoreError&) {
      // A stray pack: reported by check_consistency(), removed at the next open.
    }
  }
}

void Repo::Impl::rollback_packs(TxState& s) noexcept {
  for (int64_t id : s.new_packs) {
    try {
      packs->remove(id);
    } catch (const StoreError&) {
      // Left as a stray pack, removed at the next open.
    }
  }
  if (cur_pack != 0 && s.packs.count(cur_pack) && s.packs[cur_pack].size) {
    try {
      packs->truncate(cur_pack, cur_size);
    } catch (const StoreError&) {
      // The tail stays as garbage past the committed size; cut at the next open.
    }
  }
  s.pack = cur_pack;
  s.size = cur_size;
  s.packs.clear();
  s.new_packs.clear();
  s.remove_packs_after_commit.clear();
  s.holes.clear();
}

uint64_t Repo::Impl::compact_one(Tx x) {
  int64_t victim = 0;
  {
    // The pack taking appends too: deletions there would otherwise stay on
    // disk until it fills, which may be never.
    Statement& q = x.sql(
        "SELECT id FROM store_packs WHERE live = 0 OR live * 100 < size * ? "
        "ORDER BY CAST(live AS REAL) / max(size, 1) LIMIT 1");
    Reset r(q);
    q.bind(1, static_cast<int64_t>(opt.compact_below_percent));
    if (q.step()) victim = q.int64(0);
  }
  if (victim == 0) return 0;
  if (victim == x.s.pack) {  // its live blocks go to a new pack
    x.s.pack = 0;
    x.s.size = 0;
  }
  std::vector<std::tuple<int64_t, uint64_t, uint64_t>> live;  // block id, size, offset
  {
    Statement& q = x.sql("SELECT id, size, off FROM store_blocks WHERE pack = ?");
    Reset r(q);
    q.bind(1, victim);
    while (q.step())
      live.emplace_back(q.int64(0), static_cast<uint64_t>(q.int64(1)),
                        static_cast<uint64_t>(q.int64(2)));
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
    auto [pack, at] = append(x, dst);
    x.sql("UPDATE store_blocks SET pack = ?, off = ? WHERE id = ?")
        .bind(1, pack)
        .bind(2, static_cast<int64_t>(at))
        .bind(3, id)
        .run();
    copied += size;
  }
  // Every block moved: the pack goes whatever its recorded live count says.
  x.s.packs.erase(victim);
  x.sql("DELETE FROM store_packs WHERE id = ?").bind(1, victim).run();
  x.s.remove_packs_after_commit.push_back(victim);
  return copied;
}

}  // namespace codex::store
