// A directory of dataset blocks, one file per block named by its decimal
// dataset index with a ".bin" suffix (0.bin, 1.bin, …), each exactly
// block_size bytes. `codex-prover input --fake-data --write-blocks DIR` writes
// one; `codex-prover input --blocks DIR` reads one.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "prover/slots/builder.h"

namespace codex::prover::cli {

class BlockDir {
 public:
  // Scans dir. Throws InvalidInput if it is not a directory, holds no block
  // files, a file name is not <index>.bin, or the indices are not exactly
  // 0..n−1.
  explicit BlockDir(std::filesystem::path dir);

  uint64_t count() const { return count_; }
  std::filesystem::path path(uint64_t index) const;
  // A thread-safe reader; it throws InvalidInput if a file is missing or its
  // size is not block_size.
  slots::BlockReader reader(uint64_t block_size) const;

 private:
  std::filesystem::path dir_;
  uint64_t count_ = 0;
};

// Writes blocks 0..layout.blocks_count()−1 of `read` into dir (created).
void write_block_dir(const std::filesystem::path& dir, const slots::SlotLayout& layout,
                     const slots::BlockReader& read);

}  // namespace codex::prover::cli
