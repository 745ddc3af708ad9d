// Sets.sol's Bytes32Set as the contract keeps myRequests and mySlots: values in
// insertion order, and a removal moves the last value into the gap, so the
// order the views return is exactly the contract's.
//
// Not thread-safe (the model's lock guards it).
#pragma once

#include <cstring>
#include <unordered_map>
#include <vector>

#include "agent/market/model/rollback.h"
#include "agent/market/types.h"

namespace codex::market::model {

// std::hash for ids and addresses: their first bytes (keccak output, or an
// address derived from one) are already uniform.
struct IdHash {
  size_t operator()(const Hash& h) const {
    size_t v;
    std::memcpy(&v, h.data(), sizeof v);
    return v;
  }
  size_t operator()(const Address& a) const {
    size_t v;
    std::memcpy(&v, a.bytes.data() + 12, sizeof v);
    return v;
  }
};

class IdSet {
 public:
  // Sets.add: false when already present.
  bool add(const Hash& v, Rollback& rb) {
    if (positions_.count(v)) return false;
    values_.push_back(v);
    positions_[v] = values_.size();
    rb.on_undo([this, v] {
      values_.pop_back();
      positions_.erase(v);
    });
    return true;
  }

  // Sets.remove: false when absent.
  bool remove(const Hash& v, Rollback& rb) {
    auto it = positions_.find(v);
    if (it == positions_.end()) return false;
    const size_t position = it->second, last = values_.size();
    positions_.erase(it);
    if (position != last) {
      const Hash moved = values_[last - 1];
      values_[position - 1] = moved;
      positions_[moved] = position;
      rb.on_undo([this, v, moved, position, last] {
        values_[position - 1] = v;
        values_.push_back(moved);
        positions_[moved] = last;
        positions_[v] = position;
      });
    } else {
      rb.on_undo([this, v, position] {
        values_.push_back(v);
        positions_[v] = position;
      });
    }
    values_.pop_back();
    return true;
  }

  bool contains(const Hash& v) const { return positions_.count(v) != 0; }
  const std::vector<Hash>& values() const { return values_; }

 private:
  std::vector<Hash> values_;
  std::unordered_map<Hash, size_t, IdHash> positions_;  // index + 1
};

}  // namespace codex::market::model
