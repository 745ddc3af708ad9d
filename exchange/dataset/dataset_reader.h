#pragma once
// Reads a locally stored dataset back: the manifest, then the original bytes
// block by block (the last block trimmed to the dataset size). For a protected
// manifest it reads the original (unprotected) tree.
#include <cstdint>
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
  void read(uint64_t i, std::string& data) const;

  store::Repo& repo_;
  Manifest manifest_;
  Cid tree_;
  uint64_t size_ = 0;
  uint64_t blocks_ = 0;
};

}  // namespace codex
