// The model's chain: numbered blocks with timestamps and hashes, as much of them
// as the marketplace can read. A call runs in a block context: a mined block
// (views at latest) or the next block (a transaction, and views at pending,
// like anvil's `pending`: number + 1 and the next block's timestamp).
//
// Only the last kWindow blocks are kept: blockhash(n) from a block executing at
// number e reads e-256 <= n < e, so from the latest block L or the next one L+1
// the contract can see blocks L-256..L and nothing older. Hashes are
// seeded_hash(seed, number) unless supplied from outside (set_hash: the
// differential test feeds anvil's), computed only when read, and each block's
// challenge digest keccak256(abi.encode(hash)) is cached with it, so mining
// costs no hashing and a challenge at most one keccak per block.
//
// Not thread-safe (the model's lock guards it).
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "agent/market/types.h"

namespace codex::market::model {

struct Block {
  uint64_t number = 0;
  uint64_t timestamp = 0;  // seconds
  Hash hash{};
};

// What block.number and block.timestamp read inside a call.
struct BlockCtx {
  uint64_t number = 0;
  uint64_t timestamp = 0;
};

// 32 pseudo-random bytes from (seed, n) — splitmix64, not a cryptographic hash:
// a seeded block's hash (and the model's transaction hashes). Pure.
Hash seeded_hash(uint64_t seed, uint64_t n);

class VirtualChain {
 public:
  static constexpr uint64_t kWindow = 257;

  // Blocks latest-256 .. latest with seeded hashes, all at `timestamp`.
  // REQUIRES latest >= 256 (std::invalid_argument).
  VirtualChain(uint64_t seed, uint64_t latest, uint64_t timestamp);
  // Starts from given blocks (consecutive numbers, oldest first, hashes as
  // given: at least kWindow of them, or all from genesis); later blocks get
  // seeded hashes. Throws std::invalid_argument otherwise.
  VirtualChain(uint64_t seed, std::span<const Block> history);

  Block latest() const { return block(latest_); }
  uint64_t latest_number() const { return latest_; }
  uint64_t latest_timestamp() const { return at(latest_).timestamp; }
  // REQUIRES latest-256 <= n <= latest (std::out_of_range).
  Block block(uint64_t n) const;

  // Appends block latest+1. REQUIRES timestamp >= latest_timestamp()
  // (std::invalid_argument).
  void mine(uint64_t timestamp);
  // Sets the hash of a kept block (its challenge digest follows). REQUIRES
  // latest-256 <= n <= latest (std::out_of_range).
  void set_hash(uint64_t n, const Hash& hash);

  // The EVM's blockhash(n) in a block executing at `executing`: zero unless
  // executing-256 <= n < executing (and n is kept).
  Hash blockhash(uint64_t n, uint64_t executing) const;
  // keccak256(abi.encode(blockhash(n))) — the challenge of a pointer at n;
  // REQUIRES blockhash(n, executing) != 0 (the caller asserts as the contract does).
  const Hash& challenge_digest(uint64_t n) const;
  // The challenge digest block n will have, also for a block not mined yet
  // (its seeded hash; a later set_hash of it is not foreseen): what a caller
  // that looks ahead (MarketModel::next_proof_check) reads. Digests of future
  // blocks are cached in a small ring. REQUIRES n >= latest-256
  // (std::out_of_range).
  const Hash& digest_ahead(uint64_t n) const;

 private:
  struct Entry {
    uint64_t number = 0;
    uint64_t timestamp = 0;
    Hash hash{};
    Hash digest{};
    bool hash_known = false;
    bool digest_known = false;
  };
  Entry& at(uint64_t n) const { return ring_[n % kWindow]; }
  Entry& kept(uint64_t n) const;
  const Hash& hash_of(Entry& e) const;

  uint64_t seed_;
  uint64_t latest_ = 0;
  mutable std::array<Entry, kWindow> ring_{};  // lazily hashed
  // Digests of blocks after the latest, by number modulo the size (a look
  // ahead of a few hundred periods' blocks fits).
  static constexpr uint64_t kAhead = 4096;
  struct Ahead {
    uint64_t number = ~0ull;
    Hash digest{};
  };
  mutable std::vector<Ahead> ahead_;
};

}  // namespace codex::market::model
