#include "exchange/store/repo.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "exchange/crypto/crc32c.h"
#include "exchange/crypto/sha256.h"
#include "exchange/crypto/sha256_multi.h"
#include "exchange/error.h"
#include "exchange/multiformats/multicodec.h"
#include "exchange/store/corrupt_block_error.h"
#include "exchange/store/private_dir.h"
#include "exchange/store/repo_impl.h"
#include "exchange/store/repo_schema.h"

namespace codex::store {
namespace {

constexpr const char* kDirtyName = "DIRTY";
constexpr const char* kBlocksDir = "blocks";
constexpr const char* kPacksDir = "packs";

const char* storage_name(BlockStorage s) {
  switch (s) {
    case BlockStorage::kFiles:
      return "files";
    case BlockStorage::kSqlite:
      return "sqlite";
    case BlockStorage::kPacks:
      return "packs";
  }
  return "?";
}

// True if bytes hash to cid, or cid's hash is not one we can check.
bool bytes_match(const Cid& cid, std::string_view bytes) {
  if (cid.hash().code() != multicodec::kSha2_256) return true;
  Digest32 d = sha256({reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()});
  return std::string_view(reinterpret_cast<const char*>(d.data()), d.size()) == cid.hash().digest();
}

void check_cid(const Cid& cid, const char* what) {
  if (!cid.valid()) throw FormatError(std::string("repo: invalid ") + what + " CID");
}

// The storage is chosen when the store is created and recorded; an explicit
// option must agree with it.
BlockStorage record_storage(Connection& c, const std::optional<BlockStorage>& wanted,
                            const std::filesystem::path& db_path) {
  auto& get = c.cached("SELECT value FROM store_meta WHERE key = 'storage'");
  std::optional<std::string> stored;
  {
    Reset r(get);
    if (get.step()) stored = std::string(get.blob_view(0));
  }
  if (!stored) {
    BlockStorage s = wanted.value_or(BlockStorage::kPacks);
    c.cached("INSERT INTO store_meta(key, value) VALUES('storage', ?)")
        .bind_blob(1, std::string_view(storage_name(s)))
        .run();
    return s;
  }
  for (BlockStorage s : {BlockStorage::kFiles, BlockStorage::kSqlite, BlockStorage::kPacks}) {
    if (*stored != storage_name(s)) continue;
    if (wanted && *wanted != s)
      throw StoreError("repo: the store in " + db_path.string() + " keeps blocks as '" + *stored +
                       "', which the options do not ask for");
    return s;
  }
  throw StoreError("repo: unknown block storage '" + *stored + "' in " + db_path.string());
}

}  // namespace

Repo::Impl::Impl(base::sqlite::Database& database, RepoOptions options)
    : db(database), claim(database.claim("store")), opt(std::move(options)) {
  if (opt.dir.empty()) throw StoreError("repo: no block folder given");
  if (!opt.now)
    opt.now = [] {
      return std::chrono::duration_cast<std::chrono::seconds>(
                 std::chrono::system_clock::now().time_since_epoch())
          .count();
    };
  prepare_private_dir(opt.dir);
  std::filesystem::path dirty = opt.dir / kDirtyName;
  const bool crashed = std::filesystem::exists(dirty);

  db.write([&](WriteTxn& t) {
    base::sqlite::migrate(t, kStoreComponent, store_migrations());
    Connection& c = t.conn();
    opt.storage = record_storage(c, opt.storage, db.path());
    // Larger checkpoints amortise their fsyncs when blocks go through the WAL.
    if (*opt.storage == BlockStorage::kSqlite) t.exec("PRAGMA wal_autocheckpoint=16384;");
    {
      auto& get = c.cached("SELECT used, reserved, total FROM store_usage WHERE id = 1");
      Reset r(get);
      if (!get.step()) throw StoreError("repo: usage row missing in " + db.path().string());
      used = static_cast<uint64_t>(get.int64(0));
      reserved = static_cast<uint64_t>(get.int64(1));
      total = static_cast<uint64_t>(get.int64(2));
    }
    if (*opt.storage == BlockStorage::kPacks) {
      if (opt.pack_bytes == 0) throw StoreError("repo: pack_bytes must be positive");
      packs = std::make_unique<PackFiles>(opt.dir / kPacksDir);
      open_packs(c);
      if (opt.durability == Durability::kProcessCrash)
        write_behind = std::make_unique<WriteBehind>(*packs);
    } else if (*opt.storage == BlockStorage::kFiles) {
      files = std::make_unique<BlockFiles>(opt.dir / kBlocksDir);
      // After a crash: remove temporaries, files of transactions that never
      // committed and files of deletions that committed but were not unlinked.
      if (crashed) {
        files->sweep([&](const std::optional<Cid>& cid) {
          return cid.has_value() && find_block(c, *cid).has_value();
        });
      }
    }
  });
  recover_uploads();
  int fd = ::open(dirty.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
  if (fd < 0)
    throw StoreError("repo: cannot create " + dirty.string() + ": " + std::strerror(errno));
  ::close(fd);
  if (opt.durability == Durability::kPowerLoss) sync_dir(opt.dir);
}

Repo::Impl::~Impl() {
  ::unlink((opt.dir / kDirtyName).c_str());
}

int64_t Repo::Impl::now() const {
  return opt.now();
}

int64_t Repo::Impl::default_expiry() const {
  return now() + opt.default_ttl.count();
}

bool Repo::Impl::read_block(const Cid& cid, std::string& out, bool verify) const {
  if (cid == Cid::empty_block()) {
    out.clear();
    return true;
  }
  auto lease = db.read();
  if (*opt.storage == BlockStorage::kSqlite) {
    Statement& q = lease.cached(
        "SELECT b.size, d.data FROM store_blocks b JOIN store_block_data d ON d.id = b.id "
        "WHERE b.cid = ?");
    {
      Reset r(q);
      q.bind_blob(1, cid.bytes());
      if (!q.step()) return false;
      std::string_view data = q.blob_view(1);
      if (data.size() != static_cast<uint64_t>(q.int64(0)))
        throw StoreError("repo: stored bytes of " + cid.to_string() +
                         " do not have the indexed size");
      out.assign(data);
    }
    if (verify && !bytes_match(cid, out))
      corrupt(cid, "bytes in the database do not match the CID");
    return true;
  }
  // Compaction may move a block after our index lookup and remove its old
  // pack, and a deletion may unlink its file or punch its bytes out of the
  // pack: look again (a fresh snapshot has the new place, or no block). The
  // same place read twice with the wrong bytes is damage.
  Statement& q = lease.cached("SELECT size, pack, off FROM store_blocks WHERE cid = ?");
  std::optional<std::pair<int64_t, uint64_t>> mismatch_at;
  for (int attempt = 0; attempt < 4; ++attempt) {
    uint64_t size;
    int64_t pack;
    uint64_t off;
    {
      Reset r(q);
      q.bind_blob(1, cid.bytes());
      if (!q.step()) return false;
      size = static_cast<uint64_t>(q.int64(0));
      pack = q.int64(1);
      off = static_cast<uint64_t>(q.int64(2));
    }
    if (size > kMaxBlockSize)
      throw StoreError("repo: indexed size of " + cid.to_string() + " is absurd");
    out.resize(size);
    std::span<uint8_t> dst(reinterpret_cast<uint8_t*>(out.data()), out.size());
    bool read = files ? files->read(cid, dst) : packs->read(pack, off, dst);
    if (!read) {
      if (files) return false;  // unlinked by a concurrent delete: absent
      continue;
    }
    if (!verify || bytes_match(cid, out)) return true;
    if (mismatch_at == std::pair{pack, off})
      corrupt(cid, files ? "bytes in its block file do not match the CID"
                         : "bytes in pack " + std::to_string(pack) + " at offset " +
                               std::to_string(off) + " do not match the CID");
    mismatch_at = std::pair{pack, off};
  }
  return false;
}

void Repo::Impl::corrupt(const Cid& cid, const std::string& what) const {
  std::string msg = "repo: block " + cid.to_string() + " is corrupt: " + what;
  // Recorded for check_consistency; from inside a write transaction of this
  // thread it cannot be (a second one would deadlock): the error still says it.
  if (!db.in_write_txn()) {
    try {
      db.write([&](WriteTxn& t) {
        t.cached("INSERT OR REPLACE INTO store_damage(cid, found, what) VALUES(?, ?, ?)")
            .bind_blob(1, cid.bytes())
            .bind(2, now())
            .bind_blob(3, std::string_view(what))
            .run();
      });
    } catch (const StoreError&) {
      // Best effort: the read fails either way.
    }
  }
  throw CorruptBlockError(cid, msg);
}

BlockRow block_row(Statement& q, int c) {
  return BlockRow{
      q.int64(c),     static_cast<uint64_t>(q.int64(c + 1)), q.int64(c + 2), q.int64(c + 3),
      q.int64(c + 4), static_cast<uint64_t>(q.int64(c + 5)), q.int64(c + 6), q.int64(c + 7) != 0};
}

std::optional<BlockRow> Repo::Impl::find_block(Connection& c, const Cid& cid) {
  Statement& q =
      c.cached("SELECT " + std::string(kBlockRowColumns) + " FROM store_blocks WHERE cid = ?");
  Reset r(q);
  q.bind_blob(1, cid.bytes());
  if (!q.step()) return std::nullopt;
  return block_row(q, 0);
}

bool Repo::Impl::put_block(Tx x, const Cid& cid, std::span<const uint8_t> bytes,
                           std::optional<int64_t> expiry, bool pin) {
  TxState& s = x.s;
  int64_t exp = expiry ? *expiry : default_expiry();
  if (auto row = find_block(x.c, cid)) {
    if (row->size != bytes.size())
      throw FormatError("repo: block " + cid.to_string() + " is stored with size " +
                        std::to_string(row->size) + ", not " + std::to_string(bytes.size()));
    // An upload pins it; a put of its own means someone wants it kept.
    if (exp > row->expiry || pin || row->transient)
      x.sql(
           "UPDATE store_blocks SET expiry = max(expiry, ?), pins = pins + ?, transient = ? "
           "WHERE id = ?")
          .bind(1, exp)
          .bind(2, pin ? 1 : 0)
          .bind(3, pin && row->transient ? 1 : 0)
          .bind(4, row->id)
          .run();
    // Bytes found corrupt when read are replaced by these (callers hash).
    bool damaged = false;
    {
      Statement& q = x.sql("SELECT 1 FROM store_damage WHERE cid = ?");
      Reset r(q);
      q.bind_blob(1, cid.bytes());
      damaged = q.step();
    }
    if (damaged) {
      x.sql("DELETE FROM store_damage WHERE cid = ?").bind_blob(1, cid.bytes()).run();
      if (files) files->write(cid, bytes);
      if (*opt.storage == BlockStorage::kSqlite)
        x.sql("UPDATE store_block_data SET data = ? WHERE id = ?")
            .bind_blob(1, bytes.data(), bytes.size())
            .bind(2, row->id)
            .run();
    }
    bool rewritten = damaged;
    if (files && !files->exists(cid)) {  // lost file: heal
      files->write(cid, bytes);
      rewritten = true;
    }
    if (packs && (damaged || !pack_holds(*row))) {  // lost or damaged: heal
      auto [pack, off] = append(x, bytes);
      x.sql("UPDATE store_blocks SET pack = ?, off = ? WHERE id = ?")
          .bind(1, pack)
          .bind(2, static_cast<int64_t>(off))
          .bind(3, row->id)
          .run();
      drop_live(s, row->pack, row->size);
      rewritten = true;
    }
    // The checksum follows the bytes written (a block from before v4 gets one).
    if (rewritten)
      x.sql("UPDATE store_blocks SET crc = ? WHERE id = ?")
          .bind(1, static_cast<int64_t>(crc32c(bytes)))
          .bind(2, row->id)
          .run();
    return false;
  }
  if (bytes.size() > kMaxBlockSize)
    throw FormatError("repo: block of " + std::to_string(bytes.size()) + " bytes is too large");
  if (s.used + s.reserved + bytes.size() > opt.quota_bytes)
    throw QuotaError("repo: quota exceeded: used " + std::to_string(s.used) + " + reserved " +
                     std::to_string(s.reserved) + " + " + std::to_string(bytes.size()) +
                     " > quota " + std::to_string(opt.quota_bytes));
  // A block stored after its leaves starts with their count.
  int64_t refs = 0;
  if (cid.codec() == multicodec::kBlock) {
    Statement& q = x.sql("SELECT COUNT(*) FROM store_leaves WHERE block = ?");
    Reset r(q);
    q.bind_blob(1, cid.bytes());
    if (q.step()) refs = q.int64(0);
  }
  // Bytes first, index second: a crash in between leaves a stray file only.
  bool pending_unlink = false;
  if (files) {
    files->write(cid, bytes);
    auto it = std::find(s.unlink_after_commit.begin(), s.unlink_after_commit.end(), cid);
    if (it != s.unlink_after_commit.end()) {
      s.unlink_after_commit.erase(it);
      pending_unlink = true;
    } else {
      s.new_files.push_back(cid);
    }
  }
  std::pair<int64_t, uint64_t> where{0, 0};
  if (packs) where = append(x, bytes);
  try {
    Statement& ins = x.sql(
        "INSERT INTO store_blocks(cid, codec, size, expiry, refcount, pack, off, pins, transient, "
        "crc) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    ins.bind_blob(1, cid.bytes())
        .bind(2, static_cast<int64_t>(cid.codec()))
        .bind(3, static_cast<int64_t>(bytes.size()))
        .bind(4, exp)
        .bind(5, refs)
        .bind(8, pin ? 1 : 0)
        .bind(9, pin ? 1 : 0)
        .bind(10, static_cast<int64_t>(crc32c(bytes)));
    if (packs)
      ins.bind(6, where.first).bind(7, static_cast<int64_t>(where.second));
    else
      ins.bind_null(6).bind_null(7);
    ins.run();
    if (*opt.storage == BlockStorage::kSqlite) {
      int64_t id = x.c.last_insert_rowid();
      x.sql("INSERT OR REPLACE INTO store_block_data(id, data) VALUES(?, ?)")
          .bind(1, id)
          .bind_blob(2, bytes.data(), bytes.size())
          .run();
    }
  } catch (...) {
    if (files && !pending_unlink) {
      files->remove(cid);
      s.new_files.pop_back();
    }
    if (packs) unappend(s, where.first, bytes.size());
    throw;
  }
  s.used += bytes.size();
  ++s.total;
  return true;
}

void Repo::Impl::remove_block(Tx x, const Cid& cid, const BlockRow& row) {
  if (row.refcount > 0)
    x.sql("DELETE FROM store_leaves WHERE block = ?").bind_blob(1, cid.bytes()).run();
  x.sql("DELETE FROM store_blocks WHERE id = ?").bind(1, row.id).run();
  x.sql("DELETE FROM store_damage WHERE cid = ?").bind_blob(1, cid.bytes()).run();
  if (files) {
    x.s.unlink_after_commit.push_back(cid);
  } else if (packs) {
    drop_live(x.s, row.pack, row.size);
    x.s.holes.push_back({row.pack, row.off, row.size});
  } else {
    x.sql("DELETE FROM store_block_data WHERE id = ?").bind(1, row.id).run();
  }
  x.s.used -= row.size;
  --x.s.total;
}

// ---- Repo ----------------------------------------------------------------

Repo::Repo(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Repo::~Repo() = default;

std::unique_ptr<Repo> Repo::open(base::sqlite::Database& db, RepoOptions options) {
  return std::unique_ptr<Repo>(new Repo(std::make_unique<Impl>(db, std::move(options))));
}

const RepoOptions& Repo::options() const {
  return impl_->opt;
}

base::sqlite::Database& Repo::database() const {
  return impl_->db;
}

bool Repo::put_block(const Cid& cid, std::span<const uint8_t> bytes,
                     std::optional<int64_t> expiry) {
  check_cid(cid, "block");
  if (cid == Cid::empty_block()) return false;
  return impl_->db.write([&](WriteTxn& t) { return in(t).put_block(cid, bytes, expiry); });
}

bool Repo::put_block_checked(const Cid& cid, std::span<const uint8_t> bytes,
                             std::optional<int64_t> expiry) {
  return impl_->db.write([&](WriteTxn& t) { return in(t).put_block_checked(cid, bytes, expiry); });
}

std::optional<std::string> Repo::get_block(const Cid& cid) const {
  std::string out;
  if (!impl_->read_block(cid, out)) return std::nullopt;
  return out;
}

bool Repo::get_block_into(const Cid& cid, std::string& out) const {
  return impl_->read_block(cid, out);
}

bool Repo::has_block(const Cid& cid) const {
  return block_size(cid).has_value();
}

std::optional<uint64_t> Repo::block_size(const Cid& cid) const {
  if (cid == Cid::empty_block()) return 0;
  auto lease = impl_->db.read();
  Statement& q = lease.cached("SELECT size FROM store_blocks WHERE cid = ?");
  Reset r(q);
  q.bind_blob(1, cid.bytes());
  if (!q.step()) return std::nullopt;
  return static_cast<uint64_t>(q.int64(0));
}

bool Repo::delete_block(const Cid& cid) {
  check_cid(cid, "block");
  if (cid == Cid::empty_block()) return false;
  return impl_->db.write([&](WriteTxn& t) { return in(t).delete_block(cid); });
}

void Repo::ensure_expiry(const Cid& cid, int64_t t) {
  check_cid(cid, "block");
  if (t <= 0) throw FormatError("repo: expiry must be positive");
  if (cid == Cid::empty_block()) return;
  impl_->db.write([&](WriteTxn& txn) { in(txn).ensure_expiry(cid, t); });
}

// The CIDs a one-column query reads, on a reader connection.
static std::vector<Cid> read_cids(base::sqlite::Database& db, const char* sql) {
  auto lease = db.read();
  Statement& q = lease.cached(sql);
  Reset r(q);
  std::vector<Cid> out;
  while (q.step())
    out.push_back(Cid::from_bytes(q.blob_view(0)));
  return out;
}

std::vector<Cid> Repo::manifests() const {
  return read_cids(impl_->db, "SELECT cid FROM store_blocks WHERE codec = 52481");
}

Usage Repo::usage() const {
  return Usage{impl_->total.load(), impl_->opt.quota_bytes, impl_->used.load(),
               impl_->reserved.load()};
}

bool Repo::available(uint64_t bytes) const {
  Usage u = usage();
  return u.used + u.reserved + bytes < u.quota_max;
}

void Repo::reserve(uint64_t bytes) {
  impl_->db.write([&](WriteTxn& t) { in(t).reserve(bytes); });
}

void Repo::release(uint64_t bytes) {
  impl_->db.write([&](WriteTxn& t) { in(t).release(bytes); });
}

std::vector<Cid> Repo::damaged_blocks() const {
  return read_cids(impl_->db, "SELECT cid FROM store_damage ORDER BY found DESC");
}

void Repo::read_blocks(std::span<const Cid> cids, uint64_t block_size, std::string& buf) const {
  if (block_size == 0 || block_size > kMaxBlockSize)
    throw FormatError("repo: block size " + std::to_string(block_size) + " is not valid");
  buf.resize(cids.size() * block_size);
  std::string one;
  bool all_sha256 = true;
  for (size_t i = 0; i < cids.size(); ++i) {
    if (!impl_->read_block(cids[i], one, false))
      throw NotFoundError("repo: block " + cids[i].to_string() + " is not stored");
    if (one.size() != block_size)
      throw FormatError("repo: block " + cids[i].to_string() + " has " +
                        std::to_string(one.size()) + " bytes, not " + std::to_string(block_size));
    std::memcpy(buf.data() + i * block_size, one.data(), block_size);
    all_sha256 = all_sha256 && cids[i].hash().code() == multicodec::kSha2_256;
  }
  // One multi-buffer pass (16 blocks per AVX-512 pass) instead of one hash
  // per block; a mismatch is read again on its own, which tells a block
  // deleted meanwhile (absent) from damage (recorded, thrown).
  std::vector<Digest32> digests(cids.size());
  if (all_sha256)
    sha256_many(reinterpret_cast<const uint8_t*>(buf.data()), block_size, block_size, cids.size(),
                digests.data());
  for (size_t i = 0; i < cids.size(); ++i) {
    if (all_sha256 && std::string_view(reinterpret_cast<const char*>(digests[i].data()), 32) ==
                          cids[i].hash().digest())
      continue;
    if (!impl_->read_block(cids[i], one, true) || one.size() != block_size)
      throw NotFoundError("repo: block " + cids[i].to_string() + " is not stored");
    std::memcpy(buf.data() + i * block_size, one.data(), block_size);
  }
}

Repo::Txn Repo::in(WriteTxn& txn) {
  if (&txn.database() != &impl_->db)
    throw std::logic_error("repo: a transaction of " + txn.database().path().string() +
                           " used with the store of " + impl_->db.path().string());
  return Txn(*impl_, txn);
}

}  // namespace codex::store
