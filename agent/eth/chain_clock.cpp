#include "agent/eth/chain_clock.h"

#include <algorithm>
#include <optional>

#include "agent/eth/rpc_error.h"

namespace codex::eth {

ChainClock::ChainClock(EthClient& eth, base::Clock& local, ChainClockOptions options)
    : eth_(eth), local_(local), opt_(options) {
  update();
  if (opt_.refresh_interval.count() > 0)
    refresher_ = std::thread([this] {
      std::unique_lock l(mu_);
      while (!cv_.wait_for(l, opt_.refresh_interval, [this] { return stopping_; })) {
        l.unlock();
        try {
          update();
        } catch (const std::exception&) {  // unreachable for now: extrapolate
        }
        l.lock();
      }
    });
}

ChainClock::~ChainClock() {
  {
    std::lock_guard l(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (refresher_.joinable()) refresher_.join();
}

void ChainClock::update() {
  std::optional<BlockHeader> head;
  if (opt_.pending) {
    try {
      head = eth_.block(BlockTag::pending());
    } catch (const RpcError&) {  // no pending block here: the latest one
    }
  }
  if (!head) head = eth_.block(BlockTag::latest());
  observe(*head);
}

void ChainClock::observe(const BlockHeader& head) {
  std::lock_guard l(mu_);
  // Re-anchor only on a later timestamp. Seeing the same block again (a quiet
  // chain polled every second), or a new block with the same timestamp, keeps
  // the first sighting as the anchor: re-anchoring there froze the clock at
  // the last block's time until the next transaction, and validators found
  // their window closed when it came.
  if (head.timestamp <= block_ts_) {
    if (head.timestamp == block_ts_) block_number_ = std::max(block_number_, head.number);
    return;
  }
  block_ts_ = head.timestamp;
  block_number_ = head.number;
  seen_at_ = local_.now();
}

base::Millis ChainClock::now() const {
  std::lock_guard l(mu_);
  uint64_t t = block_ts_;
  if (opt_.extrapolate) {
    const base::Millis elapsed = local_.now() - seen_at_;
    if (elapsed > base::Millis(0)) t += static_cast<uint64_t>(elapsed.count() / 1000);
  }
  floor_ = std::max(floor_, t);
  return base::Millis(static_cast<int64_t>(floor_) * 1000);
}

void ChainClock::sleep_until(base::Millis t) {
  for (;;) {
    update();
    const base::Millis n = now();
    if (n >= t) return;
    local_.sleep_for(std::min(t - n, opt_.poll_interval));
  }
}

uint64_t ChainClock::last_block_timestamp() const {
  std::lock_guard l(mu_);
  return block_ts_;
}

uint64_t ChainClock::last_block_number() const {
  std::lock_guard l(mu_);
  return block_number_;
}

}  // namespace codex::eth
