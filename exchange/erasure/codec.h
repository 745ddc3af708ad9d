#pragma once
// Systematic Reed–Solomon over GF(2^8) with ISA-L (spec node.md §0, §2): the
// generator is K identity rows over M Cauchy rows (gf_gen_cauchy1_matrix), so
// any K of the K + M shards determine the rest. One codec per (K, M, blockSize).
//
// Thread-safety: every const member may be called concurrently; decode tables
// are built once per loss pattern and cached (bounded LRU).
#include <cstdint>
#include <span>
#include <vector>

#include "exchange/erasure/decode_table_cache.h"
#include "exchange/erasure/params.h"

namespace codex::erasure {

class ReedSolomonCodec {
 public:
  // Requires valid params (ErasureParams::validate: throws ErasureParamsError),
  // block_size ≥ 1 and decode_cache_capacity ≥ 1 (std::invalid_argument).
  ReedSolomonCodec(ErasureParams params, size_t block_size, size_t decode_cache_capacity = 32);
  ReedSolomonCodec(const ReedSolomonCodec&) = delete;
  ReedSolomonCodec& operator=(const ReedSolomonCodec&) = delete;

  const ErasureParams& params() const { return params_; }
  uint32_t k() const { return params_.k; }
  uint32_t m() const { return params_.m; }
  size_t block_size() const { return block_size_; }

  // Computes the M parity shards of K data shards. Requires data.size() == K,
  // parity.size() == M (std::invalid_argument), each pointing to block_size
  // bytes; parity buffers must not overlap data.
  void encode(std::span<const uint8_t* const> data, std::span<uint8_t* const> parity) const;

  // Recomputes shards of one codeword from any K others. `shards` holds K + M
  // pointers in position order (data 0..K−1, parity K..K+M−1), each to
  // block_size bytes; `erased` marks positions whose content is unknown (their
  // pointers may be null unless targeted); `targets` ⊆ erased are rewritten,
  // nothing else is touched. Throws ErasureError when more than M positions are
  // erased, std::invalid_argument on bad sizes, targets outside `erased`, or a
  // null pointer where one is read or written.
  void reconstruct(std::span<uint8_t* const> shards, const ShardMask& erased,
                   const ShardMask& targets) const;
  // Same with targets = erased.
  void reconstruct(std::span<uint8_t* const> shards, const ShardMask& erased) const {
    reconstruct(shards, erased, erased);
  }

  // The (K + M) × K generator matrix, row-major (for tests and tools).
  const std::vector<uint8_t>& generator() const { return matrix_; }
  const DecodeTableCache& decode_cache() const { return cache_; }

 private:
  std::shared_ptr<const DecodeTables> make_tables(const ShardMask& erased,
                                                  const ShardMask& targets) const;

  ErasureParams params_;
  size_t block_size_;
  std::vector<uint8_t> matrix_;         // (K + M) × K
  std::vector<uint8_t> encode_tables_;  // ec_init_tables of the M parity rows
  mutable DecodeTableCache cache_;
};

}  // namespace codex::erasure
