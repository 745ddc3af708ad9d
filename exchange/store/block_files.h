#pragma once
// A sharded folder of block files: <root>/<xx>/<hex of CID bytes>, where xx
// is the last byte of the CID (the end of its digest, so shards fill evenly).
// 256 shards keep directories small (a 20 GiB store of 64 KiB blocks is
// about 1,300 files per shard).
//
// Crash safety: the repo writes a block's file before the index transaction
// that counts it commits, and unlinks it only after its deletion commits, so
// a partial or stray file is never counted. A file that already exists is
// replaced through a temporary and a rename, so a counted file is never seen
// half-written. Files that a crash leaves behind (temporaries, blocks whose
// index transaction never committed, blocks deleted from the index but not
// yet unlinked) are found by sweep(). The index, not this folder, says what
// is stored.
//
// Thread-safety: distinct CIDs may be written, read and removed concurrently;
// writes of the same CID must be serialised by the caller (the repo's writer
// lock does this).
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <span>
#include <string>

#include "exchange/multiformats/cid.h"

namespace codex::store {

class BlockFiles {
 public:
  // Creates root and its shards (mode 0700) if needed. Throws StoreError.
  explicit BlockFiles(std::filesystem::path root);
  ~BlockFiles();
  BlockFiles(const BlockFiles&) = delete;
  BlockFiles& operator=(const BlockFiles&) = delete;

  std::filesystem::path path_of(const Cid& cid) const;

  // Stores bytes as the file of cid: a new file is written in place, an
  // existing one replaced atomically. Does not fsync: see sync(). Throws
  // StoreError on any I/O failure (no partial file remains).
  void write(const Cid& cid, std::span<const uint8_t> bytes) const;

  // Reads the file of cid into dst, which must have the block's exact size.
  // Returns false if there is no such file; throws StoreError if the file's
  // length differs from dst.size() or reading fails.
  bool read(const Cid& cid, std::span<uint8_t> dst) const;

  bool exists(const Cid& cid) const;

  // Removes the file of cid; a missing file is not an error.
  void remove(const Cid& cid) const;

  // Makes every file written so far durable (syncfs on the folder's file
  // system: one call covers a whole batch). Throws StoreError.
  void sync() const;

  // Visits every file: cid is nullopt for a name that is not a block file
  // (e.g. a temporary). If visit returns false the file is removed.
  // Returns the number of files removed.
  size_t sweep(const std::function<bool(const std::optional<Cid>& cid)>& visit) const;

 private:
  bool create_file(const std::filesystem::path& path, int flags,
                   std::span<const uint8_t> bytes) const;

  std::filesystem::path root_;
  int root_fd_ = -1;  // kept open for syncfs
};

}  // namespace codex::store
