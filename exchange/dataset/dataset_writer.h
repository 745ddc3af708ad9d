#pragma once
// Stores an uploaded byte stream as a dataset (spec node.md §1.3): 64 KiB
// blocks in the repo, the SHA-256 tree over their digests with every leaf proof,
// and the plain manifest as a block.
//
// Pipelined: while the caller's thread receives and chunks batch k+1, a
// background task hashes batch k (multi-buffer SHA-256) and commits it to the repo.
// Memory stays bounded: two batches of 64 blocks plus 32 bytes of digest per
// block (512 KiB per GiB), and the set of pinned blocks (see below).
//
// The writer is a Repo::Upload: its blocks are pinned until the dataset
// exists, so that a concurrent deletion of a dataset sharing them cannot
// take them. A writer destroyed before finish() (a cut-off or failed upload)
// deletes at once what it stored that nothing else uses.
#include <cstdint>
#include <future>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "exchange/crypto/sha256.h"
#include "exchange/manifest/manifest.h"
#include "exchange/multiformats/cid.h"
#include "exchange/store/repo.h"

namespace codex {

class DatasetWriter {
 public:
  // The repo must outlive the writer. Not thread-safe: one writer per upload.
  explicit DatasetWriter(store::Repo& repo, uint32_t block_size = 65536);
  ~DatasetWriter();
  DatasetWriter(const DatasetWriter&) = delete;
  DatasetWriter& operator=(const DatasetWriter&) = delete;

  void set_filename(std::string name) { filename_ = std::move(name); }
  void set_mimetype(std::string type) { mimetype_ = std::move(type); }

  // Appends bytes. Throws QuotaError when the store is full and StoreError
  // on storage failure (destroy the writer: it frees its blocks).
  void write(std::span<const uint8_t> data);

  // Stores the last block, the tree's leaf proofs and the manifest; returns
  // the manifest's CID. Throws FormatError for an empty upload.
  Cid finish();

  uint64_t bytes_written() const;

 private:
  // Hands the filled batch to the background task (waiting for the previous one).
  void submit();
  void wait_inflight();

  store::Repo& repo_;
  store::Repo::Upload upload_;
  uint32_t block_size_;
  std::optional<std::string> filename_;
  std::optional<std::string> mimetype_;
  uint64_t bytes_in_ = 0;
  std::vector<Digest32> digests_;
  std::string filling_;     // the batch being filled (kBlocksPerBatch blocks)
  size_t filled_ = 0;       // whole blocks in filling_
  size_t partial_ = 0;      // bytes of the next block in filling_
  std::string committing_;  // the batch the background task owns
  std::future<void> inflight_;
  bool finished_ = false;
};

}  // namespace codex
