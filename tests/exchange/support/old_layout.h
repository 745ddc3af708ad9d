#pragma once
// A data directory as builds before the one-database layout left it: the
// block index in <dir>/repo/repo.sqlite3 (WAL, with its last transactions
// still in the -wal file, as after a crash), repo/LOCK, and the block bytes.
// Built from the schema those builds wrote (copied here from
// exchange/store/repo.cpp of that time: kSchema, and the pack columns its
// migrate() added), not from old binaries, so that the upgrade is tested
// against what is really on users' disks.
#include <sqlite3.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "base/sqlite/connection.h"
#include "exchange/multiformats/cid.h"
#include "exchange/multiformats/multicodec.h"
#include "exchange/store/repo_options.h"

namespace codex::store::testing {

inline constexpr const char* kOldSchema = R"sql(
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

// What an old store holds: one dataset (blocks with their leaves) and its
// manifest, a reservation.
struct OldStore {
  BlockStorage storage = BlockStorage::kPacks;
  std::vector<std::string> blocks;  // bytes; the dataset's leaf i is blocks[i]
  Cid tree;
  std::string manifest;
  uint64_t used = 0;
  uint64_t reserved = 12345;
  int64_t last_pack_id = 5;  // kPacks: AUTOINCREMENT's high mark (packs 1, 2, 4, 5 were removed)
  Cid block_cid(size_t i) const {
    return Cid::sha256_of(multicodec::kBlock,
                          {reinterpret_cast<const uint8_t*>(blocks[i].data()), blocks[i].size()});
  }
  Cid manifest_cid() const {
    return Cid::sha256_of(multicodec::kManifest,
                          {reinterpret_cast<const uint8_t*>(manifest.data()), manifest.size()});
  }
};

// Writes the old layout of a store with n blocks of block_size bytes into
// dir. packs_columns = false gives a store from before pack storage (kFiles
// or kSqlite only).
inline OldStore make_old_layout(const std::filesystem::path& dir, BlockStorage storage, size_t n,
                                size_t block_size = 1000, bool pack_columns = true) {
  namespace fs = std::filesystem;
  OldStore old;
  old.storage = storage;
  std::mt19937_64 rng(n * 31 + static_cast<size_t>(storage));
  auto random_string = [&](size_t len) {
    std::string s(len, '\0');
    for (auto& c : s)
      c = static_cast<char>(rng());
    return s;
  };
  for (size_t i = 0; i < n; ++i)
    old.blocks.push_back(random_string(block_size));
  old.tree = Cid(multicodec::kRoot, Multihash(multicodec::kSha2_256, random_string(32)));
  old.manifest = random_string(120);

  const fs::path repo = dir / "repo";
  fs::create_directories(repo);
  ::chmod(dir.c_str(), 0700);
  ::chmod(repo.c_str(), 0700);
  std::ofstream(repo / "LOCK").flush();
  std::ofstream pack;
  if (storage == BlockStorage::kPacks) {
    fs::create_directories(repo / "packs");
    pack.open(repo / "packs" / "3.pack", std::ios::binary);
  }
  base::sqlite::Connection c(repo / "repo.sqlite3", 10'000);
  c.exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA wal_autocheckpoint=0;");
  c.exec(kOldSchema);
  if (pack_columns)
    c.exec(
        "ALTER TABLE blocks ADD COLUMN pack INTEGER; ALTER TABLE blocks ADD COLUMN off INTEGER;");
  const char* kind = storage == BlockStorage::kPacks   ? "packs"
                     : storage == BlockStorage::kFiles ? "files"
                                                       : "sqlite";
  c.cached("INSERT INTO meta(key, value) VALUES('storage', ?)").bind_blob(1, kind).run();
  if (storage == BlockStorage::kPacks)
    c.exec(
        "INSERT INTO packs(id, size, live) VALUES(1, 0, 0), (2, 0, 0), (3, 0, 0), (4, 0, 0), "
        "(5, 0, 0); DELETE FROM packs WHERE id != 3;");
  c.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  // From here on, everything stays in the WAL (a crash before a checkpoint).
  uint64_t off = 0;
  auto put = [&](const Cid& cid, const std::string& bytes, int64_t refcount) {
    auto& ins = c.cached(pack_columns ? "INSERT INTO blocks(cid, codec, size, expiry, refcount, "
                                        "pack, off) VALUES(?, ?, ?, ?, ?, ?, ?)"
                                      : "INSERT INTO blocks(cid, codec, size, expiry, refcount) "
                                        "VALUES(?, ?, ?, ?, ?)");
    ins.bind_blob(1, cid.bytes())
        .bind(2, static_cast<int64_t>(cid.codec()))
        .bind(3, static_cast<int64_t>(bytes.size()))
        .bind(4, int64_t{4'000'000'000})
        .bind(5, refcount);
    if (pack_columns && storage == BlockStorage::kPacks)
      ins.bind(6, int64_t{3}).bind(7, static_cast<int64_t>(off));
    else if (pack_columns)
      ins.bind_null(6).bind_null(7);
    ins.run();
    if (storage == BlockStorage::kSqlite) {
      c.cached("INSERT INTO block_data(id, data) VALUES(?, ?)")
          .bind(1, c.last_insert_rowid())
          .bind_blob(2, bytes)
          .run();
    } else if (storage == BlockStorage::kPacks) {
      pack.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
      off += bytes.size();
    } else {
      static constexpr char kHex[] = "0123456789abcdef";
      std::string name;
      for (unsigned char ch : cid.bytes())
        name += {kHex[ch >> 4], kHex[ch & 15]};
      fs::path p = repo / "blocks" / name.substr(name.size() - 2) / name;
      fs::create_directories(p.parent_path());
      std::ofstream(p, std::ios::binary) << bytes;
    }
    old.used += bytes.size();
  };
  c.exec("BEGIN");
  for (size_t i = 0; i < n; ++i) {
    put(old.block_cid(i), old.blocks[i], 1);
    c.cached("INSERT INTO leaves(tree, idx, block, proof) VALUES(?, ?, ?, ?)")
        .bind_blob(1, old.tree.bytes())
        .bind(2, static_cast<int64_t>(i))
        .bind_blob(3, old.block_cid(i).bytes())
        .bind_blob(4, "proof of " + std::to_string(i))
        .run();
  }
  put(old.manifest_cid(), old.manifest, 0);
  if (storage == BlockStorage::kPacks)
    c.cached("UPDATE packs SET size = ?, live = ? WHERE id = 3")
        .bind(1, static_cast<int64_t>(off))
        .bind(2, static_cast<int64_t>(off))
        .run();
  c.cached("UPDATE usage SET used = ?, reserved = ?, total = ? WHERE id = 1")
      .bind(1, static_cast<int64_t>(old.used))
      .bind(2, static_cast<int64_t>(old.reserved))
      .bind(3, static_cast<int64_t>(n + 1))
      .run();
  c.exec("COMMIT");
  // Closed without the checkpoint a clean close makes: the WAL keeps it all.
  sqlite3_db_config(c.handle(), SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, nullptr);
  return old;
}

}  // namespace codex::store::testing
