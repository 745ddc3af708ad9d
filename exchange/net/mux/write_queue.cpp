#include "exchange/net/mux/write_queue.h"

namespace codex::net::mux {

void WriteQueue::push(std::span<const uint8_t> header, std::span<const uint8_t> body,
                      const std::shared_ptr<WriteOwner>& owner) {
  if (closed_) return;
  ordered_.insert(ordered_.end(), header.begin(), header.end());
  ordered_.insert(ordered_.end(), body.begin(), body.end());
  if (owner) {
    ++owner->queued_frames;
    owners_.push_back(owner);
  }
  wake_.notify();
}

void WriteQueue::push_urgent(std::span<const uint8_t> frame) {
  if (closed_) return;
  urgent_.insert(urgent_.end(), frame.begin(), frame.end());
  wake_.notify();
}

asio::awaitable<void> WriteQueue::run(Stream& conn) {
  std::vector<uint8_t> batch;
  std::vector<std::shared_ptr<WriteOwner>> owners;
  while (!closed_) {
    if (urgent_.empty() && ordered_.empty()) {
      co_await wake_.wait();
      continue;
    }
    // Urgent frames first, then the ordered ones, in one write. The emptied
    // buffers trade places, so no batch allocates once capacities settle.
    if (urgent_.empty()) {
      batch.swap(ordered_);
    } else {
      batch.swap(urgent_);
      batch.insert(batch.end(), ordered_.begin(), ordered_.end());
      ordered_.clear();
    }
    owners.swap(owners_);
    reply_bytes_ = 0;
    writing_ = true;
    co_await conn.write(batch);
    writing_ = false;
    batch.clear();
    for (auto& o : owners) {
      --o->queued_frames;
      o->signal.notify();
    }
    owners.clear();
    written_.notify();
  }
}

void WriteQueue::close() noexcept {
  closed_ = true;
  urgent_.clear();
  ordered_.clear();
  for (auto& o : owners_) {
    --o->queued_frames;
    o->signal.notify();
  }
  owners_.clear();
  reply_bytes_ = 0;
  wake_.notify();
  written_.notify();
}

}  // namespace codex::net::mux
