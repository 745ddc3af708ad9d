// The undo log of one model transaction: every storage write records how to undo
// itself, so a revert anywhere in a call (even after writes, as Solidity's
// transferFrom at the end of fillSlot) leaves the state exactly as before.
//
// Not thread-safe; one per call, under the model's lock.
#pragma once

#include <functional>
#include <utility>
#include <vector>

namespace codex::market::model {

class Rollback {
 public:
  Rollback() = default;
  Rollback(const Rollback&) = delete;
  Rollback& operator=(const Rollback&) = delete;
  // Undoes what was not committed.
  ~Rollback() { undo(); }

  // `field = value`, remembering the old value.
  template <class T, class V>
  void set(T& field, V&& value) {
    undo_.emplace_back([p = &field, old = field] { *p = old; });
    field = std::forward<V>(value);
  }
  // Registers an undo step (run in reverse order of registration).
  void on_undo(std::function<void()> fn) { undo_.push_back(std::move(fn)); }

  // Keeps the writes.
  void commit() { undo_.clear(); }
  // Restores the state as it was before the first write. Never throws (the
  // steps only assign and erase).
  void undo() noexcept {
    for (auto it = undo_.rbegin(); it != undo_.rend(); ++it)
      (*it)();
    undo_.clear();
  }

 private:
  std::vector<std::function<void()>> undo_;
};

}  // namespace codex::market::model
