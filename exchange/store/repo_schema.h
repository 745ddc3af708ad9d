#pragma once
// The store's tables in the data directory's database: component "store" of
// base/sqlite/migrations.h, run by Repo::open in its first transaction.
//
//   store_meta(key, value)        'storage' → files | sqlite | packs, fixed
//                                 when the store is created
//   store_blocks                  the block index: CID, codec, size, expiry,
//                                 refCount, with packs (pack, off), the
//                                 uploads in flight using it (pins,
//                                 transient) and the CRC32C of its bytes
//                                 (crc, v4; NULL for older blocks)
//   store_block_data(id, data)    BlockStorage::kSqlite: the bytes, out of
//                                 the index rows so scans skip overflow pages
//   store_leaves                  (tree, index) → (block CID, proof)
//   store_usage                   one row: used, reserved, total blocks
//   store_packs(id, size, live)   kPacks: committed size and live bytes;
//                                 AUTOINCREMENT never reuses a removed
//                                 pack's id, so a reader holding an old
//                                 location finds that pack gone, not another
//   store_trees(tree, datasets, uploads)  what holds a tree's leaves
//   store_damage(cid, found, what)  blocks found corrupt when read
#include <span>
#include <string_view>

#include "base/sqlite/migrations.h"

namespace codex::store {

inline constexpr std::string_view kStoreComponent = "store";

std::span<const base::sqlite::Migration> store_migrations();

}  // namespace codex::store
