#include "exchange/dataset/dataset_writer.h"

#include "exchange/chunker/chunker.h"
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
    : repo_(repo), block_size_(block_size) {
  chunker_ = std::make_unique<Chunker>(
      block_size, [this](std::span<const uint8_t> block, size_t) { store_block(block); });
}

DatasetWriter::~DatasetWriter() = default;

uint64_t DatasetWriter::bytes_written() const { return chunker_->bytes_in(); }

void DatasetWriter::write(std::span<const uint8_t> data) {
  if (finished_) throw std::logic_error("dataset writer: write after finish");
  chunker_->write(data);
}

void DatasetWriter::store_block(std::span<const uint8_t> block) {
  Cid cid = Cid::sha256_of(multicodec::kBlock, block);
  digests_.push_back(block_digest(cid));
  pending_.emplace_back(std::move(cid),
                        std::string(reinterpret_cast<const char*>(block.data()), block.size()));
  if (pending_.size() >= kBlocksPerBatch) flush();
}

void DatasetWriter::flush() {
  if (pending_.empty()) return;
  auto batch = repo_.batch();
  for (const auto& [cid, bytes] : pending_)
    batch.put_block(cid, {reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()});
  batch.commit();
  pending_.clear();
}

Cid DatasetWriter::finish() {
  if (finished_) throw std::logic_error("dataset writer: finish called twice");
  finished_ = true;
  chunker_->finish();
  flush();
  if (digests_.empty()) throw FormatError("dataset: the upload is empty");

  Sha256Tree tree = Sha256Tree::build(digests_);
  Cid tree_cid = tree.root_cid();
  for (size_t start = 0; start < digests_.size(); start += kLeavesPerBatch) {
    auto batch = repo_.batch();
    size_t end = std::min(digests_.size(), start + kLeavesPerBatch);
    for (size_t i = start; i < end; ++i) {
      Cid block(multicodec::kBlock,
                Multihash(multicodec::kSha2_256,
                          std::string(digests_[i].begin(), digests_[i].end())));
      batch.put_leaf(tree_cid, i, block, tree.proof(i).encode());
    }
    batch.commit();
  }

  Manifest m;
  m.tree_cid = tree_cid;
  m.dataset_size = chunker_->bytes_in();
  m.block_size = block_size_;
  m.filename = filename_;
  m.mimetype = mimetype_;
  std::string enc = m.encode();
  std::span<const uint8_t> bytes(reinterpret_cast<const uint8_t*>(enc.data()), enc.size());
  Cid cid = Cid::sha256_of(multicodec::kManifest, bytes);
  repo_.put_block(cid, bytes);
  return cid;
}

}  // namespace codex
