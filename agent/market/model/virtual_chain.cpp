#include "agent/market/model/virtual_chain.h"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "agent/eth/keccak.h"

namespace codex::market::model {
Hash seeded_hash(uint64_t seed, uint64_t n) {
  uint64_t x = seed ^ (n * 0x9e3779b97f4a7c15ull + 0x632be59bd9b4e019ull);
  Hash h;
  for (int word = 0; word < 4; ++word) {
    uint64_t z = (x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z ^= z >> 31;
    for (int i = 0; i < 8; ++i)
      h[size_t(word * 8 + i)] = uint8_t(z >> (56 - 8 * i));
  }
  return h;
}

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
    e.hash = seeded_hash(seed_, e.number);
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

const Hash& VirtualChain::digest_ahead(uint64_t n) const {
  if (n <= latest_) return challenge_digest(n);
  if (ahead_.empty()) ahead_.resize(kAhead);
  Ahead& a = ahead_[n % kAhead];
  if (a.number != n) {
    a.number = n;
    a.digest = eth::keccak256(seeded_hash(seed_, n));
  }
  return a.digest;
}

}  // namespace codex::market::model
