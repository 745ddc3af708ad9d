// Repo::check_consistency: verifies every invariant listed in repo.h.
#include <unordered_set>

#include "exchange/crypto/sha256.h"
#include "exchange/error.h"
#include "exchange/multiformats/multicodec.h"
#include "exchange/store/repo_impl.h"

namespace codex::store {

ConsistencyReport Repo::check_consistency(bool verify_bytes) const {
  Impl& m = *impl_;
  std::lock_guard lk(m.write_mu);  // no transaction of ours is half-done
  ConsistencyReport rep;
  Database& db = *m.wdb;
  std::unordered_set<std::string> indexed;
  std::string buf;

  Statement blocks(db, "SELECT id, cid, codec, size, refcount FROM blocks");
  Statement data(db, "SELECT data FROM block_data WHERE id = ?");
  Reset rb(blocks);
  while (blocks.step()) {
    int64_t id = blocks.column_int(0);
    std::string cid_bytes(blocks.column_blob(1));
    int64_t codec = blocks.column_int(2);
    uint64_t size = static_cast<uint64_t>(blocks.column_int(3));
    int64_t refcount = blocks.column_int(4);
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
      Statement& q = m.w->count_refs;
      Reset r(q);
      q.bind_blob(1, cid.bytes());
      if (q.step()) expected_refs = q.column_int(0);
    }
    if (refcount != expected_refs)
      rep.add(name + ": refCount " + std::to_string(refcount) + " but " +
              std::to_string(expected_refs) + " leaves point at it");

    // Read the bytes back exactly as a reader would.
    bool present = false;
    try {
      if (m.files) {
        if (size > kMaxBlockSize) {
          rep.add(name + ": absurd size " + std::to_string(size));
          continue;
        }
        buf.resize(size);
        present = m.files->read(cid, {reinterpret_cast<uint8_t*>(buf.data()), buf.size()});
      } else {
        Reset r(data);
        data.bind(1, id);
        if ((present = data.step())) {
          buf.assign(data.column_blob(0));
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
    if (verify_bytes && cid.hash().code() == multicodec::kSha2_256) {
      Digest32 d = sha256({reinterpret_cast<const uint8_t*>(buf.data()), buf.size()});
      if (std::string_view(reinterpret_cast<const char*>(d.data()), d.size()) !=
          cid.hash().digest())
        rep.add(name + ": bytes do not match the CID");
      else
        ++rep.blocks_verified;
    }
  }

  {
    Statement q(db, "SELECT used, reserved, total FROM usage WHERE id = 1");
    Reset r(q);
    if (!q.step()) {
      rep.add("usage row is missing");
    } else {
      uint64_t used = q.column_int(0), total = q.column_int(2);
      if (used != rep.bytes)
        rep.add("quota used is " + std::to_string(used) + " but blocks hold " +
                std::to_string(rep.bytes) + " bytes");
      if (total != rep.blocks)
        rep.add("total blocks is " + std::to_string(total) + " but the index has " +
                std::to_string(rep.blocks));
      if (used != m.used.load() || total != m.total.load() ||
          static_cast<uint64_t>(q.column_int(1)) != m.reserved.load())
        rep.add("usage in memory differs from the database");
    }
  }
  {
    Statement q(db, "SELECT COUNT(*) FROM leaves");
    Reset r(q);
    if (q.step()) rep.leaves = q.column_int(0);
  }
  if (m.files) {
    m.files->sweep([&](const std::optional<Cid>& cid) {
      if (!cid || !indexed.count(cid->bytes())) {
        ++rep.orphan_files;
        rep.add("stray file in the block folder: " + (cid ? cid->to_string() : "(not a CID)"));
      }
      return true;  // report only
    });
  } else {
    Statement q(db, "SELECT COUNT(*) FROM block_data WHERE id NOT IN (SELECT id FROM blocks)");
    Reset r(q);
    if (q.step() && q.column_int(0) > 0)
      rep.add(std::to_string(q.column_int(0)) + " block_data rows have no block");
  }
  return rep;
}

}  // namespace codex::store
