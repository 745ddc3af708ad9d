#pragma once
// The result of Repo::check_consistency(): what was checked and every
// violation of the store's invariants found.
#include <cstdint>
#include <string>
#include <vector>

namespace codex::store {

struct ConsistencyReport {
  uint64_t blocks = 0;              // rows in the block index
  uint64_t bytes = 0;               // sum of their sizes
  uint64_t blocks_verified = 0;     // blocks whose bytes were re-hashed against their CID
  uint64_t blocks_checksummed = 0;  // blocks whose bytes matched their recorded CRC32C
  // Blocks read whose bytes nothing could check: no checksum (stored before
  // v4) and a CID that is not sha2-256.
  uint64_t blocks_unchecked = 0;
  uint64_t leaves = 0;
  uint64_t orphan_files = 0;  // block or pack files the index does not count
  // kPacks: bytes in packs that no indexed block uses (deleted blocks awaiting
  // compaction). Not part of the quota's `used`.
  uint64_t pack_garbage_bytes = 0;
  // kPacks: disk space the packs occupy (holes punched by deletions excluded).
  uint64_t pack_disk_bytes = 0;
  // Blocks found corrupt by this check or earlier by a read (store_damage).
  uint64_t damaged_blocks = 0;
  // Human-readable problems (at most kMaxProblems; `more_problems` counts the rest).
  std::vector<std::string> problems;
  uint64_t more_problems = 0;

  static constexpr size_t kMaxProblems = 100;
  bool ok() const { return problems.empty(); }
  void add(std::string problem) {
    if (problems.size() < kMaxProblems)
      problems.push_back(std::move(problem));
    else
      ++more_problems;
  }
};

}  // namespace codex::store
