#include "exchange/store/repo.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "exchange/error.h"
#include "exchange/multiformats/multicodec.h"
#include "exchange/store/repo_impl.h"

namespace codex::store {
namespace {

constexpr const char* kDbName = "repo.sqlite3";
constexpr const char* kLockName = "LOCK";
constexpr const char* kDirtyName = "DIRTY";
constexpr const char* kBlocksDir = "blocks";
constexpr const char* kPacksDir = "packs";
constexpr size_t kMaxPooledReaders = 8;

// Block bytes live out of the metadata rows (block_data) so that scans of
// `blocks` never touch overflow pages. With kPacks, blocks(pack, off) locate
// the bytes (columns added by migrate() to stores created before packs) and
// `packs` holds each pack's committed size and live bytes; AUTOINCREMENT
// never reuses the id of a removed pack, so a reader holding an old location
// finds that pack gone rather than another one.
constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS blocks(
  id INTEGER PRIMARY KEY,
  cid BLOB NOT NULL UNIQUE,
  codec INTEGER NOT NULL,
  size INTEGER NOT NULL,
  expiry INTEGER NOT NULL,
  refcount INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS blocks_by_expiry ON blocks(expiry);
CREATE INDEX IF NOT EXISTS blocks_manifests ON blocks(codec) WHERE codec = 52481;
CREATE TABLE IF NOT EXISTS block_data(id INTEGER PRIMARY KEY, data BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS leaves(
  tree BLOB NOT NULL, idx INTEGER NOT NULL, block BLOB NOT NULL, proof BLOB NOT NULL,
  PRIMARY KEY(tree, idx)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS leaves_by_block ON leaves(block);
CREATE TABLE IF NOT EXISTS usage(
  id INTEGER PRIMARY KEY CHECK(id = 1),
  used INTEGER NOT NULL, reserved INTEGER NOT NULL, total INTEGER NOT NULL);
INSERT OR IGNORE INTO usage VALUES(1, 0, 0, 0);
CREATE TABLE IF NOT EXISTS packs(
  id INTEGER PRIMARY KEY AUTOINCREMENT, size INTEGER NOT NULL, live INTEGER NOT NULL);
)sql";
static_assert(multicodec::kManifest == 52481, "partial index above uses the manifest codec");

void prepare_dir(const std::filesystem::path& dir) {
  struct stat st;
  if (::stat(dir.c_str(), &st) != 0) {
    if (errno != ENOENT)
      throw StoreError("repo: cannot stat " + dir.string() + ": " + std::strerror(errno));
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) throw StoreError("repo: cannot create " + dir.string() + ": " + ec.message());
    if (::chmod(dir.c_str(), 0700) != 0 || ::stat(dir.c_str(), &st) != 0)
      throw StoreError("repo: cannot set mode 0700 on " + dir.string());
  }
  if (!S_ISDIR(st.st_mode)) throw StoreError("repo: " + dir.string() + " is not a directory");
  if ((st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    throw StoreError("repo: data directory " + dir.string() + " has mode " + mode +
                     "; it must not be accessible by group or others (chmod 700)");
  }
}

void fsync_dir(const std::filesystem::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

// Adds blocks(pack, off) to a store created before pack storage existed.
void migrate(Database& db) {
  Statement q(db, "SELECT COUNT(*) FROM pragma_table_info('blocks') WHERE name = 'pack'");
  Reset r(q);
  if (q.step() && q.column_int(0) == 1) return;
  q.reset();
  db.exec("ALTER TABLE blocks ADD COLUMN pack INTEGER; ALTER TABLE blocks ADD COLUMN off INTEGER;");
}

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

void check_cid(const Cid& cid, const char* what) {
  if (!cid.valid()) throw FormatError(std::string("repo: invalid ") + what + " CID");
}

}  // namespace

WriteStatements::WriteStatements(Database& db)
    : begin(db, "BEGIN IMMEDIATE"),
      commit(db, "COMMIT"),
      rollback(db, "ROLLBACK"),
      find_block(db, "SELECT id, size, expiry, refcount, pack, off FROM blocks WHERE cid = ?"),
      insert_block(db,
                   "INSERT INTO blocks(cid, codec, size, expiry, refcount, pack, off) "
                   "VALUES(?, ?, ?, ?, ?, ?, ?)"),
      insert_data(db, "INSERT OR REPLACE INTO block_data(id, data) VALUES(?, ?)"),
      set_expiry(db, "UPDATE blocks SET expiry = ? WHERE id = ?"),
      set_refcount(db, "UPDATE blocks SET refcount = ? WHERE id = ?"),
      add_ref(db, "UPDATE blocks SET refcount = refcount + 1 WHERE cid = ?"),
      count_refs(db, "SELECT COUNT(*) FROM leaves WHERE block = ?"),
      delete_block(db, "DELETE FROM blocks WHERE id = ?"),
      delete_data(db, "DELETE FROM block_data WHERE id = ?"),
      delete_leaves_of_block(db, "DELETE FROM leaves WHERE block = ?"),
      find_leaf(db, "SELECT block FROM leaves WHERE tree = ? AND idx = ?"),
      insert_leaf(db, "INSERT OR IGNORE INTO leaves(tree, idx, block, proof) VALUES(?, ?, ?, ?)"),
      tree_leaves(db, "SELECT idx, block FROM leaves WHERE tree = ? ORDER BY idx LIMIT ?"),
      delete_leaf(db, "DELETE FROM leaves WHERE tree = ? AND idx = ?"),
      expired(db,
              "SELECT cid, id, size, expiry, refcount, pack, off FROM blocks WHERE expiry < ? "
              "ORDER BY expiry LIMIT ?"),
      save_usage(db, "UPDATE usage SET used = ?, reserved = ?, total = ? WHERE id = 1"),
      insert_pack(db, "INSERT INTO packs(size, live) VALUES(0, 0)"),
      update_pack(db, "UPDATE packs SET size = coalesce(?, size), live = live + ? WHERE id = ?"),
      pack_row(db, "SELECT size, live FROM packs WHERE id = ?"),
      delete_pack(db, "DELETE FROM packs WHERE id = ?"),
      set_location(db, "UPDATE blocks SET pack = ?, off = ? WHERE id = ?") {}

ReadConnection::ReadConnection(const std::filesystem::path& db_path)
    : db(db_path),
      block_meta(db, "SELECT size, pack, off FROM blocks WHERE cid = ?"),
      block_blob(db,
                 "SELECT b.size, d.data FROM blocks b JOIN block_data d ON d.id = b.id "
                 "WHERE b.cid = ?"),
      leaf(db, "SELECT block, proof FROM leaves WHERE tree = ? AND idx = ?"),
      leaf_count(db, "SELECT COUNT(*) FROM leaves WHERE tree = ?"),
      manifests(db, "SELECT cid FROM blocks WHERE codec = 52481") {
  // A download looks each block up by its random CID: 8 MiB (against the
  // default 2 MiB) keeps the blocks(cid) index of a few GiB cached while the
  // leaves stream through (1.74 preads per block at 4 GiB, 1.18 at 256 MiB).
  db.exec("PRAGMA cache_size=-8192;");
}

Repo::Impl::Impl(RepoOptions options) : opt(std::move(options)) {
  if (opt.dir.empty()) throw StoreError("repo: no data directory given");
  if (!opt.now)
    opt.now = [] {
      return std::chrono::duration_cast<std::chrono::seconds>(
                 std::chrono::system_clock::now().time_since_epoch())
          .count();
    };
  prepare_dir(opt.dir);
  db_path = opt.dir / kDbName;

  // One process per data directory; the kernel drops the lock if we die.
  std::filesystem::path lock_path = opt.dir / kLockName;
  lock_fd = ::open(lock_path.c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0600);
  if (lock_fd < 0)
    throw StoreError("repo: cannot open " + lock_path.string() + ": " + std::strerror(errno));
  if (::flock(lock_fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(lock_fd);
    throw StoreError("repo: " + opt.dir.string() + " is in use by another process");
  }
  try {
    std::filesystem::path dirty = opt.dir / kDirtyName;
    bool crashed = std::filesystem::exists(dirty);

    wdb = std::make_unique<Database>(db_path);
    wdb->exec(
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
        "PRAGMA journal_size_limit=67108864;");
    wdb->exec(kSchema);
    migrate(*wdb);
    // The storage is chosen when the repo is created and recorded; an
    // explicit option must agree with it.
    {
      Statement get(*wdb, "SELECT value FROM meta WHERE key = 'storage'");
      Reset r(get);
      if (get.step()) {
        std::string stored(get.column_blob(0));
        std::optional<BlockStorage> kind;
        for (BlockStorage s : {BlockStorage::kFiles, BlockStorage::kSqlite, BlockStorage::kPacks})
          if (stored == storage_name(s)) kind = s;
        if (!kind)
          throw StoreError("repo: unknown block storage '" + stored + "' in " + db_path.string());
        if (opt.storage && *opt.storage != *kind)
          throw StoreError("repo: " + opt.dir.string() + " stores blocks as '" + stored +
                           "', which the options do not ask for");
        opt.storage = kind;
      } else {
        if (!opt.storage) opt.storage = BlockStorage::kPacks;
        Statement put(*wdb, "INSERT INTO meta(key, value) VALUES('storage', ?)");
        put.bind_blob(1, std::string_view(storage_name(*opt.storage))).run();
      }
    }
    bool blobs = *opt.storage == BlockStorage::kSqlite;
    // Block CIDs are random keys: every batch of an upload dirties pages all
    // over the blocks(cid) index. With SQLite's default 2 MiB cache an upload
    // past ~1 GiB re-read index pages from the OS for each insert (3 preads
    // per block at 4 GiB against 0.2 at 256 MiB, bench/store_bench
    // BM_Dataset); 32 MiB holds the indexes of some 10 GiB of blocks.
    // A checkpoint copies each page of the WAL once and syncs twice: a longer
    // WAL (8192 pages, 32 MiB, under journal_size_limit) copies the index
    // pages that every batch rewrites once for many batches.
    wdb->exec(std::string("PRAGMA cache_size=-32768; PRAGMA wal_autocheckpoint=") +
              (blobs ? "16384;" : "8192;"));
    w = std::make_unique<WriteStatements>(*wdb);
    {
      Statement get(*wdb, "SELECT used, reserved, total FROM usage WHERE id = 1");
      Reset r(get);
      if (!get.step()) throw StoreError("repo: usage row missing");
      used = tx_used = get.column_int(0);
      reserved = tx_reserved = get.column_int(1);
      total = tx_total = get.column_int(2);
    }
    if (*opt.storage == BlockStorage::kPacks) {
      if (opt.pack_bytes == 0) throw StoreError("repo: pack_bytes must be positive");
      packs = std::make_unique<PackFiles>(opt.dir / kPacksDir);
      open_packs(crashed);
      if (opt.durability == Durability::kProcessCrash)
        write_behind = std::make_unique<WriteBehind>(*packs);
    } else if (!blobs) {
      files = std::make_unique<BlockFiles>(opt.dir / kBlocksDir);
      // After a crash: remove temporaries, files of transactions that never
      // committed and files of deletions that committed but were not unlinked.
      if (crashed) {
        files->sweep([this](const std::optional<Cid>& cid) {
          return cid.has_value() && find_block(*cid).has_value();
        });
      }
    }
    int fd = ::open(dirty.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
    if (fd < 0)
      throw StoreError("repo: cannot create " + dirty.string() + ": " + std::strerror(errno));
    ::close(fd);
    if (opt.durability == Durability::kPowerLoss) fsync_dir(opt.dir);
  } catch (...) {
    w.reset();
    wdb.reset();
    ::close(lock_fd);
    throw;
  }
}

Repo::Impl::~Impl() {
  {
    std::lock_guard lk(pool_mu);
    pool.clear();
  }
  w.reset();
  wdb.reset();  // a clean close checkpoints the WAL
  ::unlink((opt.dir / kDirtyName).c_str());
  ::close(lock_fd);
}

int64_t Repo::Impl::now() const {
  return opt.now();
}

int64_t Repo::Impl::default_expiry() const {
  return now() + opt.default_ttl.count();
}

Repo::Impl::Lease::~Lease() {
  std::lock_guard lk(impl_.pool_mu);
  if (impl_.pool.size() < kMaxPooledReaders) impl_.pool.push_back(std::move(c_));
}

Repo::Impl::Lease Repo::Impl::read() const {
  {
    std::lock_guard lk(pool_mu);
    if (!pool.empty()) {
      auto c = std::move(pool.back());
      pool.pop_back();
      return Lease(*this, std::move(c));
    }
  }
  return Lease(*this, std::make_unique<ReadConnection>(db_path));
}

bool Repo::Impl::read_block(const Cid& cid, std::string& out) const {
  if (cid == Cid::empty_block()) {
    out.clear();
    return true;
  }
  auto c = read();
  if (*opt.storage == BlockStorage::kSqlite) {
    Statement& q = c->block_blob;
    Reset r(q);
    q.bind_blob(1, cid.bytes());
    if (!q.step()) return false;
    std::string_view data = q.column_blob(1);
    if (data.size() != static_cast<uint64_t>(q.column_int(0)))
      throw StoreError("repo: stored bytes of " + cid.to_string() +
                       " do not have the indexed size");
    out.assign(data);
    return true;
  }
  // Compaction may move a block after our index lookup and remove its old
  // pack: look again (a fresh snapshot has the new place). A block deleted
  // meanwhile is absent.
  for (int attempt = 0; attempt < 3; ++attempt) {
    uint64_t size;
    int64_t pack;
    uint64_t off;
    {
      Statement& q = c->block_meta;
      Reset r(q);
      q.bind_blob(1, cid.bytes());
      if (!q.step()) return false;
      size = static_cast<uint64_t>(q.column_int(0));
      pack = q.column_int(1);
      off = static_cast<uint64_t>(q.column_int(2));
    }
    if (size > kMaxBlockSize)
      throw StoreError("repo: indexed size of " + cid.to_string() + " is absurd");
    out.resize(size);
    std::span<uint8_t> dst(reinterpret_cast<uint8_t*>(out.data()), out.size());
    // A concurrent delete may unlink the file after our index lookup: absent.
    if (files) return files->read(cid, dst);
    if (packs->read(pack, off, dst)) return true;
  }
  return false;
}

std::optional<BlockRow> Repo::Impl::find_block(const Cid& cid) {
  Statement& q = w->find_block;
  Reset r(q);
  q.bind_blob(1, cid.bytes());
  if (!q.step()) return std::nullopt;
  return BlockRow{q.column_int(0), static_cast<uint64_t>(q.column_int(1)),
                  q.column_int(2), q.column_int(3),
                  q.column_int(4), static_cast<uint64_t>(q.column_int(5))};
}

bool Repo::Impl::put_block(const Cid& cid, std::span<const uint8_t> bytes,
                           std::optional<int64_t> expiry) {
  check_cid(cid, "block");
  if (cid == Cid::empty_block()) return false;
  int64_t exp = expiry ? *expiry : default_expiry();
  if (auto row = find_block(cid)) {
    if (row->size != bytes.size())
      throw FormatError("repo: block " + cid.to_string() + " is stored with size " +
                        std::to_string(row->size) + ", not " + std::to_string(bytes.size()));
    if (exp > row->expiry) w->set_expiry.bind(1, exp).bind(2, row->id).run();
    if (files && !files->exists(cid)) files->write(cid, bytes);  // lost file: heal
    if (packs && !pack_holds(*row)) {                            // lost pack: heal
      auto [pack, off] = append(bytes);
      w->set_location.bind(1, pack).bind(2, static_cast<int64_t>(off)).bind(3, row->id).run();
      drop_live(row->pack, row->size);
    }
    return false;
  }
  if (bytes.size() > kMaxBlockSize)
    throw FormatError("repo: block of " + std::to_string(bytes.size()) + " bytes is too large");
  if (tx_used + tx_reserved + bytes.size() > opt.quota_bytes)
    throw QuotaError("repo: quota exceeded: used " + std::to_string(tx_used) + " + reserved " +
                     std::to_string(tx_reserved) + " + " + std::to_string(bytes.size()) +
                     " > quota " + std::to_string(opt.quota_bytes));
  // A block stored after its leaves starts with their count.
  int64_t refs = 0;
  if (cid.codec() == multicodec::kBlock) {
    Statement& q = w->count_refs;
    Reset r(q);
    q.bind_blob(1, cid.bytes());
    if (q.step()) refs = q.column_int(0);
  }
  // Bytes first, index second: a crash in between leaves a stray file only.
  bool pending_unlink = false;
  if (files) {
    files->write(cid, bytes);
    auto it = std::find(unlink_after_commit.begin(), unlink_after_commit.end(), cid);
    if (it != unlink_after_commit.end()) {
      unlink_after_commit.erase(it);
      pending_unlink = true;
    } else {
      new_files.push_back(cid);
    }
  }
  std::pair<int64_t, uint64_t> where{0, 0};
  if (packs) where = append(bytes);
  try {
    Statement& ins = w->insert_block;
    ins.bind_blob(1, cid.bytes())
        .bind(2, static_cast<int64_t>(cid.codec()))
        .bind(3, static_cast<int64_t>(bytes.size()))
        .bind(4, exp)
        .bind(5, refs);
    if (packs)
      ins.bind(6, where.first).bind(7, static_cast<int64_t>(where.second));
    else
      ins.bind_null(6).bind_null(7);
    ins.run();
    if (*opt.storage == BlockStorage::kSqlite) {
      int64_t id = wdb->last_insert_rowid();
      w->insert_data.bind(1, id).bind_blob(2, bytes.data(), bytes.size()).run();
    }
  } catch (...) {
    if (files && !pending_unlink) {
      files->remove(cid);
      new_files.pop_back();
    }
    if (packs) unappend(where.first, bytes.size());
    throw;
  }
  tx_used += bytes.size();
  ++tx_total;
  return true;
}

void Repo::Impl::remove_block(const Cid& cid, const BlockRow& row) {
  if (row.refcount > 0) w->delete_leaves_of_block.bind_blob(1, cid.bytes()).run();
  w->delete_block.bind(1, row.id).run();
  if (files)
    unlink_after_commit.push_back(cid);
  else if (packs)
    drop_live(row.pack, row.size);
  else
    w->delete_data.bind(1, row.id).run();
  tx_used -= row.size;
  --tx_total;
}

void Repo::Impl::publish_usage() {
  used = tx_used;
  reserved = tx_reserved;
  total = tx_total;
}

// ---- Repo ----------------------------------------------------------------

Repo::Repo(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Repo::~Repo() = default;

std::unique_ptr<Repo> Repo::open(RepoOptions options) {
  return std::unique_ptr<Repo>(new Repo(std::make_unique<Impl>(std::move(options))));
}

const RepoOptions& Repo::options() const {
  return impl_->opt;
}

bool Repo::put_block(const Cid& cid, std::span<const uint8_t> bytes,
                     std::optional<int64_t> expiry) {
  if (cid == Cid::empty_block()) return false;
  Batch b = batch();
  bool added = b.put_block(cid, bytes, expiry);
  b.commit();
  return added;
}

bool Repo::put_block_checked(const Cid& cid, std::span<const uint8_t> bytes,
                             std::optional<int64_t> expiry) {
  Batch b = batch();
  bool added = b.put_block_checked(cid, bytes, expiry);
  b.commit();
  return added;
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
  auto c = impl_->read();
  Statement& q = c->block_meta;
  Reset r(q);
  q.bind_blob(1, cid.bytes());
  if (!q.step()) return std::nullopt;
  return static_cast<uint64_t>(q.column_int(0));
}

bool Repo::delete_block(const Cid& cid) {
  check_cid(cid, "block");
  if (cid == Cid::empty_block()) return false;
  std::lock_guard lk(impl_->write_mu);
  impl_->begin();
  try {
    auto row = impl_->find_block(cid);
    if (!row) {
      impl_->rollback();
      return false;
    }
    if (row->refcount > 0 && row->expiry >= impl_->now())
      throw StoreError(
          "repo: directly deleting a block that is part of a dataset is not allowed (" +
          cid.to_string() + " has " + std::to_string(row->refcount) + " leaves)");
    impl_->remove_block(cid, *row);
    impl_->commit();
    return true;
  } catch (...) {
    impl_->rollback();
    throw;
  }
}

void Repo::ensure_expiry(const Cid& cid, int64_t t) {
  check_cid(cid, "block");
  if (t <= 0) throw FormatError("repo: expiry must be positive");
  if (cid == Cid::empty_block()) return;
  std::lock_guard lk(impl_->write_mu);
  impl_->begin();
  try {
    auto row = impl_->find_block(cid);
    if (!row) throw NotFoundError("repo: block " + cid.to_string() + " not found");
    if (t > row->expiry) impl_->w->set_expiry.bind(1, t).bind(2, row->id).run();
    impl_->commit();
  } catch (...) {
    impl_->rollback();
    throw;
  }
}

std::vector<Cid> Repo::manifests() const {
  auto c = impl_->read();
  Statement& q = c->manifests;
  Reset r(q);
  std::vector<Cid> out;
  while (q.step())
    out.push_back(Cid::from_bytes(q.column_blob(0)));
  return out;
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
  std::lock_guard lk(impl_->write_mu);
  Impl& m = *impl_;
  if (m.tx_used + m.tx_reserved + bytes > m.opt.quota_bytes)
    throw QuotaError(
        "repo: cannot reserve " + std::to_string(bytes) + " bytes: used " +
        std::to_string(m.tx_used) + " + reserved " + std::to_string(m.tx_reserved) + " leaves " +
        std::to_string(m.opt.quota_bytes - std::min(m.opt.quota_bytes, m.tx_used + m.tx_reserved)));
  m.begin();
  m.tx_reserved += bytes;
  try {
    m.commit();
  } catch (...) {
    m.rollback();
    throw;
  }
}

void Repo::release(uint64_t bytes) {
  std::lock_guard lk(impl_->write_mu);
  Impl& m = *impl_;
  m.begin();
  m.tx_reserved -= std::min(bytes, m.tx_reserved);
  try {
    m.commit();
  } catch (...) {
    m.rollback();
    throw;
  }
}

}  // namespace codex::store
