#include "exchange/dataset/dataset_writer.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "exchange/crypto/sha256_multi.h"
#include "exchange/error.h"
#include "exchange/multiformats/multicodec.h"
#include "exchange/store/repo.h"
#include "exchange/tree/sha256_tree.h"

namespace codex {
namespace {

// Blocks per write transaction: large enough to amortise the commit, small
// enough that a crash loses little and memory stays at a few MiB.
constexpr size_t kBlocksPerBatch = 64;
constexpr size_t kLeavesPerBatch = 4096;

}  // namespace

DatasetWriter::DatasetWriter(store::Repo& repo, uint32_t block_size)
    : repo_(repo), upload_(repo.upload()), block_size_(block_size) {
  if (block_size == 0) throw std::invalid_argument("dataset writer: block size must be positive");
  filling_.resize(size_t(block_size) * kBlocksPerBatch);
}

DatasetWriter::~DatasetWriter() {
  // An abandoned upload still waits for its background commit: it uses this object.
  if (inflight_.valid()) inflight_.wait();
}

uint64_t DatasetWriter::bytes_written() const {
  return bytes_in_;
}

void DatasetWriter::write(std::span<const uint8_t> data) {
  if (finished_) throw std::logic_error("dataset writer: write after finish");
  // Chunked straight into the batch buffer: the HTTP body arrives in 4 KiB
  // pieces, and a separate chunker's buffer would copy every byte twice.
  bytes_in_ += data.size();
  while (!data.empty()) {
    size_t n = std::min<size_t>(block_size_ - partial_, data.size());
    std::memcpy(filling_.data() + filled_ * block_size_ + partial_, data.data(), n);
    partial_ += n;
    data = data.subspan(n);
    if (partial_ == block_size_) {
      partial_ = 0;
      if (++filled_ == kBlocksPerBatch) submit();
    }
  }
}

void DatasetWriter::wait_inflight() {
  if (inflight_.valid()) inflight_.get();  // rethrows the task's error
}

void DatasetWriter::submit() {
  if (filled_ == 0) return;
  wait_inflight();
  std::swap(filling_, committing_);
  if (filling_.size() != committing_.size()) filling_.resize(committing_.size());
  size_t n = filled_;
  filled_ = 0;
  size_t first = digests_.size();
  digests_.resize(first + n);
  inflight_ = std::async(std::launch::async, [this, n, first] {
    const size_t bs = block_size_;
    // Multi-buffer SHA-256 (16 blocks per AVX-512 pass) keeps hashing off the
    // critical path of an upload.
    sha256_many(reinterpret_cast<const uint8_t*>(committing_.data()), bs, bs, n,
                digests_.data() + first);
    auto batch = repo_.batch();
    for (size_t i = 0; i < n; ++i) {
      const Digest32& d = digests_[first + i];
      Cid cid(multicodec::kBlock,
              Multihash(multicodec::kSha2_256, std::string(d.begin(), d.end())));
      upload_.put_block(batch, cid,
                        {reinterpret_cast<const uint8_t*>(committing_.data()) + i * bs, bs});
    }
    batch.commit();
  });
}

Cid DatasetWriter::finish() {
  if (finished_) throw std::logic_error("dataset writer: finish called twice");
  finished_ = true;
  if (partial_ > 0) {  // the last block, zero-padded (spec §1.3)
    std::memset(filling_.data() + filled_ * block_size_ + partial_, 0, block_size_ - partial_);
    partial_ = 0;
    ++filled_;
  }
  submit();
  wait_inflight();
  if (digests_.empty()) throw FormatError("dataset: the upload is empty");

  Sha256Tree tree = Sha256Tree::build(digests_);
  Cid tree_cid = tree.root_cid();
  // Held before its leaves go in: a deletion of a dataset with the same tree
  // stops collecting its leaves (the ones it took are put back below).
  upload_.hold_tree(tree_cid);
  for (size_t start = 0; start < digests_.size(); start += kLeavesPerBatch) {
    auto batch = repo_.batch();
    size_t end = std::min(digests_.size(), start + kLeavesPerBatch);
    for (size_t i = start; i < end; ++i) {
      Cid block(multicodec::kBlock, Multihash(multicodec::kSha2_256,
                                              std::string(digests_[i].begin(), digests_[i].end())));
      batch.put_leaf(tree_cid, i, block, tree.proof(i).encode());
    }
    batch.commit();
  }

  Manifest m;
  m.tree_cid = tree_cid;
  m.dataset_size = bytes_in_;
  m.block_size = block_size_;
  m.filename = filename_;
  m.mimetype = mimetype_;
  std::string enc = m.encode();
  std::span<const uint8_t> bytes(reinterpret_cast<const uint8_t*>(enc.data()), enc.size());
  Cid cid = Cid::sha256_of(multicodec::kManifest, bytes);
  upload_.commit(cid, bytes, std::span<const Cid>(&tree_cid, 1));
  return cid;
}

}  // namespace codex
