#include "exchange/dataset/dataset_reader.h"

#include <algorithm>
#include <vector>

#include "exchange/error.h"
#include "exchange/multiformats/multicodec.h"
#include "exchange/store/repo.h"

namespace codex {

Manifest load_manifest(store::Repo& repo, const Cid& manifest_cid) {
  if (manifest_cid.codec() != multicodec::kManifest)
    throw FormatError("not a manifest CID: " + manifest_cid.to_string());
  auto bytes = repo.get_block(manifest_cid);
  if (!bytes) throw NotFoundError("manifest not found locally: " + manifest_cid.to_string());
  return Manifest::decode(std::string_view(*bytes));
}

DatasetReader::DatasetReader(store::Repo& repo, const Cid& manifest_cid)
    : repo_(repo), manifest_(load_manifest(repo, manifest_cid)) {
  // A protected dataset is read through its original tree: the original bytes.
  if (manifest_.is_protected()) {
    tree_ = manifest_.erasure->original_tree_cid;
    size_ = manifest_.erasure->original_dataset_size;
  } else {
    tree_ = manifest_.tree_cid;
    size_ = manifest_.dataset_size;
  }
  blocks_ = (size_ + manifest_.block_size - 1) / manifest_.block_size;
}

std::string DatasetReader::read_block(uint64_t i) const {
  std::string data;
  read(i, data);
  return data;
}

bool DatasetReader::read_block_into(uint64_t i, std::string& out,
                                    std::string* error) const noexcept {
  try {
    read(i, out);
    return true;
  } catch (const std::exception& e) {
    if (error) *error = e.what();
  } catch (...) {
    if (error) *error = "unknown error";
  }
  return false;
}

DatasetReader::~DatasetReader() {
  if (ahead_.valid()) ahead_.wait();
}

DatasetReader::Window DatasetReader::load(uint64_t first) const {
  Window w;
  w.first = first;
  w.count = std::min(kReadAhead, blocks_ - first);
  try {
    std::vector<Cid> cids;
    cids.reserve(w.count);
    for (uint64_t i = first; i < first + w.count; ++i) {
      auto leaf = repo_.get_leaf(tree_, i);
      if (!leaf) throw NotFoundError("leaf missing");
      cids.push_back(leaf->block);
    }
    repo_.read_blocks(cids, manifest_.block_size, w.bytes);
  } catch (...) {
    w.error = std::current_exception();
  }
  return w;
}

void DatasetReader::read(uint64_t i, std::string& data) const {
  if (i >= blocks_) throw std::out_of_range("dataset: block index out of range");
  std::unique_lock lk(mu_);
  if (!window_ || !window_->holds(i)) {
    if (ahead_.valid()) window_ = ahead_.get();
    if (!window_ || !window_->holds(i)) window_ = load(i - i % kReadAhead);
    uint64_t next = window_->first + window_->count;
    if (!ahead_.valid() && next < blocks_)
      ahead_ = std::async(std::launch::async, [this, next] { return load(next); });
  }
  if (!window_->error) {
    const uint64_t bs = manifest_.block_size;
    data.assign(window_->bytes, (i - window_->first) * bs, bs);
    uint64_t last = size_ - i * bs;
    if (last < data.size()) data.resize(last);
    return;
  }
  lk.unlock();
  // Block by block, so that the error names the block that has it.
  read_one(i, data);
}

void DatasetReader::read_one(uint64_t i, std::string& data) const {
  auto leaf = repo_.get_leaf(tree_, i);
  if (!leaf)
    throw NotFoundError("dataset: leaf " + std::to_string(i) + " of " + tree_.to_string() +
                        " is not stored");
  if (!repo_.get_block_into(leaf->block, data))
    throw NotFoundError("dataset: block " + leaf->block.to_string() + " is not stored");
  if (data.size() != manifest_.block_size)
    throw FormatError("dataset: block " + leaf->block.to_string() + " has the wrong size");
  uint64_t last = size_ - i * manifest_.block_size;
  if (last < data.size()) data.resize(last);
}

}  // namespace codex
