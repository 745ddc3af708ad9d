#pragma once
// A bounded LRU cache of Reed–Solomon decode tables, keyed by loss pattern.
// Building tables needs a K×K matrix inversion (O(K³) in GF(2^8)); a dataset
// usually loses the same slots in every step, so one entry serves all steps.
// Thread-safe: all members may be called concurrently.
#include <bitset>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace codex::erasure {

// A set of codeword positions (bit p = position p, p < 256).
using ShardMask = std::bitset<256>;

// What ISA-L needs to recompute `targets` from the shards at `sources`.
struct DecodeTables {
  std::vector<uint32_t> sources;  // K surviving positions, ascending
  std::vector<uint32_t> targets;  // positions recomputed, ascending
  std::vector<uint8_t> gftbls;    // ec_init_tables() output, 32·K·targets.size()
};

class DecodeTableCache {
 public:
  // Requires capacity ≥ 1 (std::invalid_argument otherwise).
  explicit DecodeTableCache(size_t capacity);
  DecodeTableCache(const DecodeTableCache&) = delete;
  DecodeTableCache& operator=(const DecodeTableCache&) = delete;

  using Builder = std::function<std::shared_ptr<const DecodeTables>()>;
  // The tables for (erased, targets): cached, or made by `build` (called
  // without the lock held, so two threads may build the same entry once each).
  // Exceptions from `build` propagate and nothing is cached.
  std::shared_ptr<const DecodeTables> get(const ShardMask& erased, const ShardMask& targets,
                                          const Builder& build);

  size_t size() const;
  size_t capacity() const { return capacity_; }
  uint64_t hits() const;
  uint64_t misses() const;

 private:
  struct Key {
    ShardMask erased, targets;
    friend bool operator==(const Key&, const Key&) = default;
  };
  struct KeyHash {
    size_t operator()(const Key& k) const noexcept {
      return std::hash<ShardMask>{}(k.erased) * 31 + std::hash<ShardMask>{}(k.targets);
    }
  };
  using Entry = std::pair<Key, std::shared_ptr<const DecodeTables>>;

  size_t capacity_;
  mutable std::mutex mu_;
  std::list<Entry> lru_;  // most recently used first
  std::unordered_map<Key, std::list<Entry>::iterator, KeyHash> index_;
  uint64_t hits_ = 0, misses_ = 0;
};

}  // namespace codex::erasure
