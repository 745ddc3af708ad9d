#include "exchange/store/write_behind.h"

#include <algorithm>

namespace codex::store {

WriteBehind::WriteBehind(const PackFiles& packs, uint64_t chunk, uint64_t window)
    : packs_(packs), chunk_(std::max<uint64_t>(chunk, 1)), window_(window) {}

void WriteBehind::committed(int64_t id, uint64_t from, uint64_t to) {
  if (to <= from) return;
  // Appends continue the pending range; anything else (a new pack) starts it.
  if (pending_.id != id || pending_.to != from) {
    if (pending_.to > pending_.from) start(pending_);
    pending_ = Range{id, from, from};
  }
  pending_.to = to;
  if (pending_.to - pending_.from >= chunk_) {
    start(pending_);
    pending_.from = pending_.to;
  }
}

void WriteBehind::forget(int64_t id) {
  if (pending_.id == id) pending_ = Range{};
  for (auto it = started_.begin(); it != started_.end();) {
    if (it->id == id) {
      started_bytes_ -= it->to - it->from;
      it = started_.erase(it);
    } else {
      ++it;
    }
  }
}

void WriteBehind::start(const Range& r) {
  packs_.start_writeback(r.id, r.from, r.to - r.from);
  started_.push_back(r);
  started_bytes_ += r.to - r.from;
  // Usually already written by now: the wait only bites when the disk is
  // slower than the uploads.
  while (started_bytes_ > window_ && !started_.empty()) {
    const Range& old = started_.front();
    packs_.wait_writeback(old.id, old.from, old.to - old.from);
    started_bytes_ -= old.to - old.from;
    started_.pop_front();
  }
}

}  // namespace codex::store
