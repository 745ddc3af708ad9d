#include "agent/market/model/virtual_chain.h"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "agent/eth/keccak.h"

namespace codex::market::model {
namespace {

void put_be64(uint8_t* out, uint64_t v) {
  for (int i = 7; i >= 0; --i, v >>= 8)
    out[i] = uint8_t(v);
}

}  // namespace

VirtualChain::VirtualChain(uint64_t seed, uint64_t latest, uint64_t timestamp) : seed_(seed) {
  if (latest < kWindow - 1)
    throw std::invalid_argument("virtual chain: the latest block must be >= 256, not " +
                                std::to_string(latest));
  latest_ = latest;
  for (uint64_t n = latest + 1 - kWindow; n <= latest; ++n)
    at(n) = Entry{n, timestamp, {}, {}, false, false};
}

VirtualChain::VirtualChain(uint64_t seed, std::span<const Block> history) : seed_(seed) {
  if (history.empty() || (history.size() < kWindow && history.front().number != 0))
    throw std::invalid_argument(
        "virtual chain: needs the last 257 blocks or all blocks from genesis, got " +
        std::to_string(history.size()));
  for (size_t i = 1; i < history.size(); ++i)
    if (history[i].number != history[i - 1].number + 1 ||
        history[i].timestamp < history[i - 1].timestamp)
      throw std::invalid_argument("virtual chain: history is not consecutive at block " +
                                  std::to_string(history[i].number));
  for (const Block& b : history.subspan(history.size() - std::min<size_t>(kWindow, history.size())))
    at(b.number) = Entry{b.number, b.timestamp, b.hash, {}, true, false};
  latest_ = history.back().number;
}

VirtualChain::Entry& VirtualChain::kept(uint64_t n) const {
  if (n > latest_ || n + (kWindow - 1) < latest_)
    throw std::out_of_range("virtual chain: block " + std::to_string(n) + " is not kept (latest " +
                            std::to_string(latest_) + ")");
  return at(n);
}

const Hash& VirtualChain::hash_of(Entry& e) const {
  if (!e.hash_known) {
    uint8_t pre[16];
    put_be64(pre, seed_);
    put_be64(pre + 8, e.number);
    e.hash = eth::keccak256(std::span<const uint8_t>(pre, sizeof pre));
    e.hash_known = true;
  }
  return e.hash;
}

Block VirtualChain::block(uint64_t n) const {
  Entry& e = kept(n);
  return Block{e.number, e.timestamp, hash_of(e)};
}

void VirtualChain::mine(uint64_t timestamp) {
  if (timestamp < latest_timestamp())
    throw std::invalid_argument("virtual chain: block time " + std::to_string(timestamp) +
                                " is before the latest block's " +
                                std::to_string(latest_timestamp()));
  ++latest_;
  at(latest_) = Entry{latest_, timestamp, {}, {}, false, false};
}

void VirtualChain::set_hash(uint64_t n, const Hash& hash) {
  Entry& e = kept(n);
  e.hash = hash;
  e.hash_known = true;
  e.digest_known = false;
}

Hash VirtualChain::blockhash(uint64_t n, uint64_t executing) const {
  if (n >= executing || n + 256 < executing || n > latest_ || n + (kWindow - 1) < latest_)
    return Hash{};
  return hash_of(at(n));
}

const Hash& VirtualChain::challenge_digest(uint64_t n) const {
  Entry& e = kept(n);
  if (!e.digest_known) {
    e.digest = eth::keccak256(hash_of(e));
    e.digest_known = true;
  }
  return e.digest;
}

}  // namespace codex::market::model
