#pragma once
// Stores an uploaded byte stream as a dataset (spec node.md §1.3): 64 KiB
// blocks in the repo, the SHA-256 tree over their digests with every leaf proof,
// and the plain manifest as a block. Memory stays bounded: one block plus 32
// bytes of digest per block (32 KiB per GiB).
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "exchange/crypto/sha256.h"
#include "exchange/manifest/manifest.h"
#include "exchange/multiformats/cid.h"

namespace codex {

class Chunker;
namespace store {
class Repo;
}

class DatasetWriter {
 public:
  // The repo must outlive the writer. Not thread-safe: one writer per upload.
  explicit DatasetWriter(store::Repo& repo, uint32_t block_size = 65536);
  ~DatasetWriter();
  DatasetWriter(const DatasetWriter&) = delete;
  DatasetWriter& operator=(const DatasetWriter&) = delete;

  void set_filename(std::string name) { filename_ = std::move(name); }
  void set_mimetype(std::string type) { mimetype_ = std::move(type); }

  // Appends bytes. Throws QuotaError when the store is full (the blocks
  // already written stay until they expire) and StoreError on storage failure.
  void write(std::span<const uint8_t> data);

  // Stores the last block, the tree's leaf proofs and the manifest; returns
  // the manifest's CID. Throws FormatError for an empty upload.
  Cid finish();

  uint64_t bytes_written() const;

 private:
  void store_block(std::span<const uint8_t> block);
  void flush();

  store::Repo& repo_;
  uint32_t block_size_;
  std::optional<std::string> filename_;
  std::optional<std::string> mimetype_;
  std::unique_ptr<Chunker> chunker_;
  std::vector<Digest32> digests_;
  std::vector<std::pair<Cid, std::string>> pending_;  // blocks not yet committed
  bool finished_ = false;
};

}  // namespace codex
