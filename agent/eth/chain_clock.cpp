#include "agent/eth/chain_clock.h"

#include <algorithm>

namespace codex::eth {

ChainClock::ChainClock(EthClient& eth, base::Clock& local, ChainClockOptions options)
    : eth_(eth), local_(local), opt_(options) {
  update();
}

void ChainClock::update() {
  observe(eth_.block(BlockTag::latest()));
}

void ChainClock::observe(const BlockHeader& head) {
  std::lock_guard l(mu_);
  if (head.number < block_number_ && head.timestamp <= block_ts_) return;  // stale observation
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
