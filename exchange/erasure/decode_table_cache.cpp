#include "exchange/erasure/decode_table_cache.h"

#include <stdexcept>

namespace codex::erasure {

DecodeTableCache::DecodeTableCache(size_t capacity) : capacity_(capacity) {
  if (capacity == 0) throw std::invalid_argument("decode table cache: capacity must be >= 1");
}

std::shared_ptr<const DecodeTables> DecodeTableCache::get(const ShardMask& erased,
                                                          const ShardMask& targets,
                                                          const Builder& build) {
  Key key{erased, targets};
  {
    std::lock_guard lock(mu_);
    auto it = index_.find(key);
    if (it != index_.end()) {
      ++hits_;
      lru_.splice(lru_.begin(), lru_, it->second);
      return it->second->second;
    }
    ++misses_;
  }
  auto tables = build();
  std::lock_guard lock(mu_);
  auto it = index_.find(key);
  if (it != index_.end()) return it->second->second;  // another thread won the race
  lru_.emplace_front(key, tables);
  index_.emplace(key, lru_.begin());
  if (lru_.size() > capacity_) {
    index_.erase(lru_.back().first);
    lru_.pop_back();
  }
  return tables;
}

size_t DecodeTableCache::size() const {
  std::lock_guard lock(mu_);
  return lru_.size();
}

uint64_t DecodeTableCache::hits() const {
  std::lock_guard lock(mu_);
  return hits_;
}

uint64_t DecodeTableCache::misses() const {
  std::lock_guard lock(mu_);
  return misses_;
}

}  // namespace codex::erasure
