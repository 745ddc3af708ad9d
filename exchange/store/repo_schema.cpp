#include "exchange/store/repo_schema.h"

#include "exchange/error.h"
#include "exchange/multiformats/multicodec.h"

namespace codex::store {
namespace {

using base::sqlite::Migration;
using base::sqlite::Reset;
using base::sqlite::WriteTxn;

// v1: the schema of the block index as builds before the one-database layout
// kept it in <data-dir>/repo/repo.sqlite3. A new database gets these tables;
// one moved from that layout (layout_upgrade.h) has them already, and stores
// created before pack storage lack blocks(pack, off).
constexpr std::string_view kV1 = R"sql(
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
static_assert(multicodec::kManifest == 52481, "the partial indexes use the manifest codec");

void v1_adopt(WriteTxn& t) {
  // A table of that name that is not the store's fails here, not later.
  t.exec("SELECT id, cid, codec, size, expiry, refcount FROM blocks LIMIT 0");
  auto& q = t.cached("SELECT COUNT(*) FROM pragma_table_info('blocks') WHERE name = 'pack'");
  bool has_pack;
  {
    Reset r(q);
    has_pack = q.step() && q.int64(0) == 1;
  }
  if (!has_pack)
    t.exec(
        "ALTER TABLE blocks ADD COLUMN pack INTEGER; ALTER TABLE blocks ADD COLUMN off INTEGER;");
}

// v2: the tables move into the store's namespace of the shared database
// (ALTER TABLE ... RENAME also renames the sqlite_sequence row of packs).
constexpr std::string_view kV2 = R"sql(
ALTER TABLE meta RENAME TO store_meta;
ALTER TABLE blocks RENAME TO store_blocks;
ALTER TABLE block_data RENAME TO store_block_data;
ALTER TABLE leaves RENAME TO store_leaves;
ALTER TABLE usage RENAME TO store_usage;
ALTER TABLE packs RENAME TO store_packs;
DROP INDEX blocks_by_expiry;
DROP INDEX blocks_manifests;
DROP INDEX leaves_by_block;
CREATE INDEX store_blocks_by_expiry ON store_blocks(expiry);
CREATE INDEX store_blocks_manifests ON store_blocks(codec) WHERE codec = 52481;
CREATE INDEX store_leaves_by_block ON store_leaves(block);
)sql";

// v3: who uses what (README "Choices"), so that a deletion never takes bytes
// another dataset or an upload in flight still needs, and a failed upload
// frees its blocks at once:
//  - store_blocks.pins: uploads in flight that put the block (reset at open:
//    uploads die with the process); transient: the block was first stored by
//    an upload, so it goes as soon as no leaf and no upload uses it;
//  - store_trees: how many datasets (manifests) and uploads hold a tree's
//    leaves; a row at 0/0 is a tree whose leaves are being collected. Trees
//    stored before v3 are counted as held by one dataset.
//  - store_damage: blocks whose bytes were found not to match their CID.
constexpr std::string_view kV3 = R"sql(
ALTER TABLE store_blocks ADD COLUMN pins INTEGER NOT NULL DEFAULT 0;
ALTER TABLE store_blocks ADD COLUMN transient INTEGER NOT NULL DEFAULT 0;
CREATE INDEX store_blocks_in_flight ON store_blocks(id) WHERE pins > 0 OR transient = 1;
CREATE TABLE store_trees(
  tree BLOB PRIMARY KEY, datasets INTEGER NOT NULL, uploads INTEGER NOT NULL) WITHOUT ROWID;
INSERT INTO store_trees SELECT DISTINCT tree, 1, 0 FROM store_leaves;
CREATE TABLE store_damage(cid BLOB PRIMARY KEY, found INTEGER NOT NULL, what TEXT NOT NULL)
  WITHOUT ROWID;
)sql";

// v4: store_blocks.crc, the CRC32C (exchange/crypto/crc32c.h) of the
// block's bytes, written whenever the store writes them (a new block, a
// damaged or lost one healed by a put; compaction copies bytes and keeps
// it). `repo check --quick` checks it while reading the packs in order,
// which finds damage no read has met yet without SHA-256.
// Blocks stored before v4 have none (NULL): we do not compute one from
// bytes nobody has checked since. Every check (quick or full) re-hashes
// them against their CID with SHA-256 instead, as the full check does for
// every block; a block without a checksum whose CID does not use sha2-256
// cannot be checked and is counted as unchecked (ConsistencyReport).
constexpr std::string_view kV4 = R"sql(
ALTER TABLE store_blocks ADD COLUMN crc INTEGER;
)sql";

}  // namespace

std::span<const base::sqlite::Migration> store_migrations() {
  // Built on first use: a store may be opened during static initialisation
  // (the kill tests' writer processes).
  static const Migration kMigrations[] = {
      {1, kV1, v1_adopt},
      {2, kV2},
      {3, kV3},
      {4, kV4},
  };
  return kMigrations;
}

}  // namespace codex::store
