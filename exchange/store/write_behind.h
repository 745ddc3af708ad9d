#pragma once
// Progressive write-back of committed pack bytes (BlockStorage::kPacks with
// Durability::kProcessCrash, where nothing else syncs them).
//
// Why: without it an upload only dirties the page cache; the kernel starts
// writing back at vm.dirty_background_ratio (10% of memory: 2 GiB on a
// 24 GiB machine) and, from halfway to vm.dirty_ratio, throttles every
// writer of the machine, the node's pwrite and its SQLite WAL included. A
// multi-GiB upload then runs in bursts and stalls, and its pages sit dirty in
// the page cache where reclaim cannot drop them. Handing each committed chunk
// to the disk at once keeps the disk busy from the first chunk, so dirty data
// grows only by what the disk cannot take, and the window bounds what this
// store leaves unwritten: past it, an append waits for its oldest chunk (the
// store then runs at the disk's speed by itself, before the kernel throttles
// the whole machine).
//
// Page-cache growth itself costs system time on the 2-core VM: a plain
// 64 KiB pwrite loop takes 0.22 s/GiB for 256 MiB but 0.76-0.83 s/GiB for
// 4 GiB; with this write-back 0.50-0.59. Dropping written-back chunks
// (POSIX_FADV_DONTNEED) brought it to 0.38-0.40 but moved the cost, and more,
// to the download that follows (3 GiB read back from the disk, +1 s of system
// time, 300-390 against 430 MB/s), so the pages stay cached.
//
// Not durability: sync_file_range writes neither metadata nor the disk's
// cache; kPowerLoss keeps its fdatasync per commit and needs none of this.
//
// Thread-safety: none; used under the repo's writer lock.
#include <cstdint>
#include <deque>

#include "exchange/store/pack_files.h"

namespace codex::store {

class WriteBehind {
 public:
  static constexpr uint64_t kDefaultChunk = 8ull << 20;
  static constexpr uint64_t kDefaultWindow = 1ull << 30;

  // Starts write-back per chunk bytes of a pack; waits once more than window
  // bytes are started and not known to be written. packs must outlive this.
  explicit WriteBehind(const PackFiles& packs, uint64_t chunk = kDefaultChunk,
                       uint64_t window = kDefaultWindow);

  // Bytes [from, to) of pack id were committed.
  void committed(int64_t id, uint64_t from, uint64_t to);
  // Forgets a pack that is being removed (its ranges need no write-back).
  void forget(int64_t id);

  // Bytes whose write-back was started and not yet waited for (tests).
  uint64_t in_flight() const { return started_bytes_; }

 private:
  struct Range {
    int64_t id = 0;
    uint64_t from = 0, to = 0;
  };
  void start(const Range& r);

  const PackFiles& packs_;
  uint64_t chunk_, window_;
  Range pending_;  // committed, write-back not started yet (one pack)
  std::deque<Range> started_;
  uint64_t started_bytes_ = 0;
};

}  // namespace codex::store
