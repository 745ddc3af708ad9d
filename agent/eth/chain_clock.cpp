#include "agent/eth/chain_clock.h"

#include <stdexcept>

namespace codex::eth {

ChainClock::ChainClock(EthClient& eth, bool extrapolate) : eth_(eth), extrapolate_(extrapolate) {
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
  seen_at_ = std::chrono::steady_clock::now();
}

uint64_t ChainClock::now() const {
  std::lock_guard l(mu_);
  uint64_t t = block_ts_;
  if (extrapolate_) {
    auto elapsed = std::chrono::duration_cast<std::chrono::seconds>(
        std::chrono::steady_clock::now() - seen_at_);
    t += static_cast<uint64_t>(elapsed.count());
  }
  floor_ = std::max(floor_, t);
  return floor_;
}

uint64_t ChainClock::last_block_timestamp() const {
  std::lock_guard l(mu_);
  return block_ts_;
}

uint64_t ChainClock::last_block_number() const {
  std::lock_guard l(mu_);
  return block_number_;
}

void ManualClock::set(uint64_t t) {
  std::lock_guard l(mu_);
  if (t < t_) throw std::invalid_argument("ManualClock: time cannot go backwards");
  t_ = t;
}

}  // namespace codex::eth
