// Repo::check_consistency: verifies every invariant listed in repo.h.
#include <map>
#include <optional>
#include <unordered_set>

#include "exchange/crypto/crc32c.h"
#include "exchange/crypto/sha256.h"
#include "exchange/error.h"
#include "exchange/multiformats/multicodec.h"
#include "exchange/store/repo_impl.h"

namespace codex::store {

ConsistencyReport Repo::check_consistency(bool verify_bytes) const {
  Impl& m = *impl_;
  // Holding the writer: no transaction is half-done. Read only (rolled back)
  // unless it finds damaged blocks, which it records.
  WriteTxn txn = m.db.begin();
  Connection& db = txn.conn();
  ConsistencyReport rep;
  std::unordered_set<std::string> indexed;
  std::string buf;

  // In the order of the bytes on disk (kPacks: pack by pack, each from its
  // start), so that reading them all is a sequential read of every pack.
  Statement& blocks = db.cached(
      "SELECT id, cid, codec, size, refcount, pack, off, crc FROM store_blocks "
      "ORDER BY pack, off, id");
  // Blocks whose bytes this check found damaged (CID bytes → what), recorded
  // in store_damage as a read that meets them does.
  std::map<std::string, std::string> found_damage;
  // kPacks: each pack's recorded (size, live) and the live bytes the index puts in it.
  struct PackCheck {
    uint64_t size = 0;
    int64_t live = 0;
    int64_t counted = 0;
    bool has_row = false;
  };
  std::map<int64_t, PackCheck> pack_checks;
  if (m.packs) {
    Statement& q = db.cached("SELECT id, size, live FROM store_packs");
    Reset r(q);
    while (q.step()) {
      PackCheck& pc = pack_checks[q.int64(0)];
      pc.size = static_cast<uint64_t>(q.int64(1));
      pc.live = q.int64(2);
      pc.has_row = true;
    }
  }
  Statement& data = db.cached("SELECT data FROM store_block_data WHERE id = ?");
  Reset rb(blocks);
  while (blocks.step()) {
    int64_t id = blocks.int64(0);
    std::string cid_bytes(blocks.blob_view(1));
    int64_t codec = blocks.int64(2);
    uint64_t size = static_cast<uint64_t>(blocks.int64(3));
    int64_t refcount = blocks.int64(4);
    int64_t pack = blocks.int64(5);
    uint64_t off = static_cast<uint64_t>(blocks.int64(6));
    std::optional<uint32_t> crc;
    if (!blocks.is_null(7)) crc = static_cast<uint32_t>(blocks.int64(7));
    ++rep.blocks;
    rep.bytes += size;
    if (m.files) indexed.insert(cid_bytes);
    Cid cid;
    try {
      cid = Cid::from_bytes(std::string_view(cid_bytes));
    } catch (const FormatError& e) {
      rep.add("block row " + std::to_string(id) + " has an invalid CID: " + e.what());
      continue;
    }
    std::string name = cid.to_string();
    if (static_cast<uint64_t>(codec) != cid.codec()) rep.add(name + ": codec column disagrees");
    if (cid == Cid::empty_block()) rep.add(name + ": the empty block must not be stored");

    int64_t expected_refs = 0;
    if (cid.codec() == multicodec::kBlock) {
      Statement& q = db.cached("SELECT COUNT(*) FROM store_leaves WHERE block = ?");
      Reset r(q);
      q.bind_blob(1, cid.bytes());
      if (q.step()) expected_refs = q.int64(0);
    }
    if (refcount != expected_refs)
      rep.add(name + ": refCount " + std::to_string(refcount) + " but " +
              std::to_string(expected_refs) + " leaves point at it");

    // Read the bytes back exactly as a reader would.
    bool present = false;
    try {
      if (m.files || m.packs) {
        if (size > kMaxBlockSize) {
          rep.add(name + ": absurd size " + std::to_string(size));
          continue;
        }
        buf.resize(size);
        std::span<uint8_t> dst(reinterpret_cast<uint8_t*>(buf.data()), buf.size());
        if (m.files) {
          present = m.files->read(cid, dst);
        } else {
          auto it = pack_checks.find(pack);
          if (it == pack_checks.end() || !it->second.has_row) {
            rep.add(name + ": in pack " + std::to_string(pack) + ", which the index does not have");
            continue;
          }
          it->second.counted += static_cast<int64_t>(size);
          if (off + size > it->second.size) {
            rep.add(name + ": ends at " + std::to_string(off + size) + ", past the size of pack " +
                    std::to_string(pack) + " (" + std::to_string(it->second.size) + ")");
            continue;
          }
          present = m.packs->read(pack, off, dst);
        }
      } else {
        Reset r(data);
        data.bind(1, id);
        if ((present = data.step())) {
          buf.assign(data.blob_view(0));
          if (buf.size() != size) {
            rep.add(name + ": stored " + std::to_string(buf.size()) + " bytes, indexed " +
                    std::to_string(size));
            continue;
          }
        }
      }
    } catch (const StoreError& e) {
      rep.add(name + ": unreadable: " + e.what());
      continue;
    }
    if (!present) {
      rep.add(name + ": indexed but its bytes are missing");
      continue;
    }
    // Full: SHA-256 against the CID, and the checksum too (a wrong one is a
    // damaged index). Quick: the checksum; SHA-256 for blocks stored before
    // checksums (repo_schema.cpp, v4).
    std::span<const uint8_t> bytes(reinterpret_cast<const uint8_t*>(buf.data()), buf.size());
    const bool sha = cid.hash().code() == multicodec::kSha2_256;
    std::optional<bool> hash_ok, crc_ok;
    if (sha && (verify_bytes || !crc)) {
      Digest32 d = sha256(bytes);
      hash_ok = std::string_view(reinterpret_cast<const char*>(d.data()), d.size()) ==
                cid.hash().digest();
      if (*hash_ok) ++rep.blocks_verified;
    }
    if (crc) {
      crc_ok = crc32c(bytes) == *crc;
      if (*crc_ok) ++rep.blocks_checksummed;
    }
    if (!hash_ok && !crc_ok) ++rep.blocks_unchecked;
    const std::string where =
        m.packs   ? "bytes in pack " + std::to_string(pack) + " at offset " + std::to_string(off)
        : m.files ? "bytes in its block file"
                  : "bytes in the database";
    if (hash_ok == false)
      found_damage[cid_bytes] = where + " do not match the CID";
    else if (crc_ok == false && hash_ok == true)
      rep.add(name + ": its bytes match the CID but not the checksum the index records");
    else if (crc_ok == false)
      found_damage[cid_bytes] = where + " do not match the checksum recorded when it was stored";
    if (auto it = found_damage.find(cid_bytes); it != found_damage.end())
      rep.add(name + ": corrupt: " + it->second + " (found by this check)");
  }

  {
    Statement& q = db.cached("SELECT used, reserved, total FROM store_usage WHERE id = 1");
    Reset r(q);
    if (!q.step()) {
      rep.add("usage row is missing");
    } else {
      uint64_t used = q.int64(0), total = q.int64(2);
      if (used != rep.bytes)
        rep.add("quota used is " + std::to_string(used) + " but blocks hold " +
                std::to_string(rep.bytes) + " bytes");
      if (total != rep.blocks)
        rep.add("total blocks is " + std::to_string(total) + " but the index has " +
                std::to_string(rep.blocks));
      if (used != m.used.load() || total != m.total.load() ||
          static_cast<uint64_t>(q.int64(1)) != m.reserved.load())
        rep.add("usage in memory differs from the database");
    }
  }
  {
    // Damage recorded before (by reads or an earlier check) that this check
    // did not find again: reported too, until a put of the right bytes
    // heals the block or its deletion drops the record.
    rep.damaged_blocks = found_damage.size();
    Statement& q = db.cached("SELECT cid, what FROM store_damage ORDER BY found");
    Reset r(q);
    while (q.step()) {
      if (found_damage.count(std::string(q.blob_view(0)))) continue;  // reported above
      ++rep.damaged_blocks;
      std::string name;
      try {
        name = Cid::from_bytes(q.blob_view(0)).to_string();
      } catch (const FormatError&) {
        name = "(invalid CID)";
      }
      rep.add(name + ": found corrupt when read: " + std::string(q.blob_view(1)));
    }
  }
  {
    Statement& q = db.cached("SELECT COUNT(*) FROM store_leaves");
    Reset r(q);
    if (q.step()) rep.leaves = q.int64(0);
  }
  if (m.packs) {
    for (const auto& [id, pc] : pack_checks) {
      if (!pc.has_row) continue;
      rep.pack_garbage_bytes +=
          pc.size - std::min<uint64_t>(pc.size, std::max<int64_t>(pc.live, 0));
      if (pc.live != pc.counted)
        rep.add("pack " + std::to_string(id) + " records " + std::to_string(pc.live) +
                " live bytes but its blocks hold " + std::to_string(pc.counted));
      auto on_disk = m.packs->file_size(id);
      if (auto a = m.packs->allocated(id)) rep.pack_disk_bytes += *a;
      if (!on_disk)
        rep.add("pack " + std::to_string(id) + " is missing");
      else if (*on_disk < pc.size)
        rep.add("pack " + std::to_string(id) + " holds " + std::to_string(*on_disk) +
                " bytes, fewer than its committed " + std::to_string(pc.size));
    }
    m.packs->sweep([&](std::optional<int64_t> id) {
      if (!id || !pack_checks.count(*id) || !pack_checks[*id].has_row) {
        ++rep.orphan_files;
        rep.add("stray file in the pack folder" + (id ? ": pack " + std::to_string(*id) : ""));
      }
      return true;  // report only
    });
  } else if (m.files) {
    m.files->sweep([&](const std::optional<Cid>& cid) {
      if (!cid || !indexed.count(cid->bytes())) {
        ++rep.orphan_files;
        rep.add("stray file in the block folder: " + (cid ? cid->to_string() : "(not a CID)"));
      }
      return true;  // report only
    });
  }
  if (*m.opt.storage == BlockStorage::kSqlite) {
    Statement& q = db.cached(
        "SELECT COUNT(*) FROM store_block_data WHERE id NOT IN (SELECT id FROM store_blocks)");
    Reset r(q);
    if (q.step() && q.int64(0) > 0)
      rep.add(std::to_string(q.int64(0)) + " block_data rows have no block");
  }
  if (found_damage.empty()) {
    txn.rollback();
    return rep;
  }
  // Recorded as a read records it: damaged_blocks() lists them, later checks
  // report them, and a put of the right bytes heals them.
  Statement& ins =
      db.cached("INSERT OR REPLACE INTO store_damage(cid, found, what) VALUES(?, ?, ?)");
  for (const auto& [cid_bytes, what] : found_damage)
    ins.bind_blob(1, std::string_view(cid_bytes))
        .bind(2, m.now())
        .bind_blob(3, std::string_view(what))
        .run();
  txn.commit();
  return rep;
}

}  // namespace codex::store
