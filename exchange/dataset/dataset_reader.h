#pragma once
// Reads a locally stored dataset back: the manifest, then the original bytes
// block by block (the last block trimmed to the dataset size). For a protected
// manifest it reads the original (unprotected) tree.
//
// Every block is checked against its CID. Reads go by windows of
// kReadAhead blocks, checked in one multi-buffer SHA-256 pass
// (Repo::read_blocks); while the caller sends one window, the next is read
// and checked on another thread, so that a download pays little for the
// check. Memory: two windows (2 MiB with 64 KiB blocks).
#include <cstdint>
#include <future>
#include <mutex>
#include <optional>
#include <string>

#include "exchange/manifest/manifest.h"
#include "exchange/multiformats/cid.h"

namespace codex {

namespace store {
class Repo;
}

// The manifest stored under this CID. Throws FormatError when the CID is not a
// manifest CID or the stored bytes do not decode, NotFoundError when absent.
Manifest load_manifest(store::Repo& repo, const Cid& manifest_cid);

class DatasetReader {
 public:
  // Throws as load_manifest(). The repo must outlive the reader. Thread-safe
  // for concurrent read_block() calls (the repo is).
  DatasetReader(store::Repo& repo, const Cid& manifest_cid);
  ~DatasetReader();  // waits for a read-ahead in flight
  DatasetReader(const DatasetReader&) = delete;
  DatasetReader& operator=(const DatasetReader&) = delete;

  static constexpr uint64_t kReadAhead = 16;

  const Manifest& manifest() const { return manifest_; }
  // Bytes of the original data (not padded).
  uint64_t size() const { return size_; }
  uint32_t block_size() const { return manifest_.block_size; }
  uint64_t blocks() const { return blocks_; }

  // The data bytes of block i (the last block trimmed). Throws NotFoundError if
  // a block or leaf is missing, FormatError if a stored block does not match,
  // store::CorruptBlockError if its bytes do not hash to its CID (the store
  // checks every read and records the damage).
  std::string read_block(uint64_t i) const;
  // The same for a streamed response, where nothing may throw: false (and
  // the reason in *error) where read_block would throw; out is reused.
  bool read_block_into(uint64_t i, std::string& out, std::string* error = nullptr) const noexcept;

 private:
  // Blocks [first, first + count) read and checked, or the error that stopped it.
  struct Window {
    uint64_t first = 0, count = 0;
    std::string bytes;
    std::exception_ptr error;
    bool holds(uint64_t i) const { return i >= first && i < first + count; }
  };
  void read(uint64_t i, std::string& data) const;
  void read_one(uint64_t i, std::string& data) const;
  Window load(uint64_t first) const;

  store::Repo& repo_;
  Manifest manifest_;
  Cid tree_;
  uint64_t size_ = 0;
  uint64_t blocks_ = 0;
  mutable std::mutex mu_;
  mutable std::optional<Window> window_;
  mutable std::future<Window> ahead_;  // last: joined before the rest goes
};

}  // namespace codex
