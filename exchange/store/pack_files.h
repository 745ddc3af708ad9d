#pragma once
// A folder of append-only pack files, <root>/<id>.pack: many blocks per file,
// so an upload creates one file per pack (BlockStorage::kPacks, 64 MiB by
// default) instead of one per 64 KiB block. The repo's index records where
// each block lives (pack id, offset, length) and each pack's committed size
// and live bytes; this class only moves bytes.
//
// Crash safety (with the repo's ordering): bytes are appended past a pack's
// committed size before the index transaction that counts them commits, so a
// crash leaves only a tail the index does not count (truncated at the next
// open) or a whole pack file without an index row (removed at the next
// open). A pack is unlinked only after the transaction that dropped its row
// committed. Committed bytes are never rewritten, only punched out once the
// deletion of their block has committed: a reader with an older index
// snapshot reads the bytes it expects, finds the pack gone, or reads zeros
// (which fail its check against the CID: it then looks the block up again).
//
// Thread-safety: every method is thread-safe. Descriptors are cached (one per
// pack, shared by readers and the writer); the cache is bounded.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <unordered_map>

namespace codex::store {

class PackFiles {
 public:
  // Creates root (mode 0700) if needed. Throws StoreError.
  explicit PackFiles(std::filesystem::path root);
  ~PackFiles();
  PackFiles(const PackFiles&) = delete;
  PackFiles& operator=(const PackFiles&) = delete;

  std::filesystem::path path_of(int64_t id) const;

  // Creates an empty pack file (an existing one of that id is truncated).
  void create(int64_t id);
  // Writes all of bytes at offset. Throws StoreError (then the range may hold
  // part of the bytes: it is past the committed size, hence garbage).
  void write(int64_t id, uint64_t offset, std::span<const uint8_t> bytes);
  // Reads exactly dst.size() bytes at offset. Returns false if the pack file
  // does not exist; throws StoreError if it is too short or reading fails.
  bool read(int64_t id, uint64_t offset, std::span<uint8_t> dst) const;
  // Makes the pack's bytes durable (fdatasync).
  void sync(int64_t id);
  // Write-back scheduling, not durability (no metadata, no disk cache flush;
  // see write_behind.h). start_writeback hands the dirty pages of the range
  // to the disk without waiting; wait_writeback returns once the range's
  // pages are written back (starting what is not yet). A missing pack and
  // I/O errors are ignored: the bytes are committed whatever happens here,
  // and a failed write-back shows at the next fdatasync or check.
  void start_writeback(int64_t id, uint64_t offset, uint64_t len) const;
  void wait_writeback(int64_t id, uint64_t offset, uint64_t len) const;
  // Makes new pack files' names durable (fsync of the folder).
  void sync_dir() const;
  // Cuts the pack to size (drops an uncommitted tail). Throws StoreError.
  void truncate(int64_t id, uint64_t size);
  // Frees the disk space of a range no block uses any more (a hole reads as
  // zeros; the file keeps its size). Returns false where the file system
  // cannot punch holes or the pack is gone (the range then stays garbage
  // until compaction). Only for committed deletions: see repo_packs.cpp.
  bool punch(int64_t id, uint64_t offset, uint64_t len);
  // Bytes of disk the pack occupies (holes excluded), nullopt if missing.
  std::optional<uint64_t> allocated(int64_t id) const;
  // Unlinks the pack; a missing file is not an error.
  void remove(int64_t id);
  // The pack file's length, nullopt if it does not exist.
  std::optional<uint64_t> file_size(int64_t id) const;

  // Visits every file of the folder: id is nullopt for a name that is not a
  // pack (e.g. left by something else). If visit returns false the file is
  // removed. Returns the number of files removed.
  size_t sweep(const std::function<bool(std::optional<int64_t> id)>& visit);

 private:
  struct Handle;
  // The cached descriptor of a pack; null if the file does not exist.
  std::shared_ptr<Handle> handle(int64_t id, bool create) const;

  std::filesystem::path root_;
  mutable std::mutex mu_;  // guards fds_ and orders open against unlink
  mutable std::unordered_map<int64_t, std::shared_ptr<Handle>> fds_;
};

}  // namespace codex::store
