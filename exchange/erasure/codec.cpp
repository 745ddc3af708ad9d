#include "exchange/erasure/codec.h"

#include <isa-l/erasure_code.h>

#include <climits>
#include <stdexcept>
#include <string>

#include "exchange/erasure/errors.h"

namespace codex::erasure {

ReedSolomonCodec::ReedSolomonCodec(ErasureParams params, size_t block_size,
                                   size_t decode_cache_capacity)
    : params_(params), block_size_(block_size), cache_(decode_cache_capacity) {
  params_.validate();
  // ec_encode_data takes an int length.
  if (block_size == 0 || block_size > static_cast<size_t>(INT_MAX))
    throw std::invalid_argument("codec: block size must be in [1, INT_MAX], got " +
                                std::to_string(block_size));
  const int k = static_cast<int>(params_.k), m = static_cast<int>(params_.m);
  matrix_.resize(static_cast<size_t>(k + m) * k);
  gf_gen_cauchy1_matrix(matrix_.data(), k + m, k);
  encode_tables_.resize(32 * static_cast<size_t>(k) * m);
  ec_init_tables(k, m, matrix_.data() + static_cast<size_t>(k) * k, encode_tables_.data());
}

void ReedSolomonCodec::encode(std::span<const uint8_t* const> data,
                              std::span<uint8_t* const> parity) const {
  if (data.size() != params_.k || parity.size() != params_.m)
    throw std::invalid_argument("codec: encode needs " + std::to_string(params_.k) + " data and " +
                                std::to_string(params_.m) + " parity buffers, got " +
                                std::to_string(data.size()) + " and " +
                                std::to_string(parity.size()));
  for (auto* p : data)
    if (!p) throw std::invalid_argument("codec: null data buffer");
  for (auto* p : parity)
    if (!p) throw std::invalid_argument("codec: null parity buffer");
  // ISA-L only reads the sources, but its prototype is not const-correct.
  ec_encode_data(static_cast<int>(block_size_), static_cast<int>(params_.k),
                 static_cast<int>(params_.m), const_cast<uint8_t*>(encode_tables_.data()),
                 const_cast<uint8_t**>(data.data()), const_cast<uint8_t**>(parity.data()));
}

std::shared_ptr<const DecodeTables> ReedSolomonCodec::make_tables(const ShardMask& erased,
                                                                  const ShardMask& targets) const {
  const uint32_t k = params_.k, n = params_.slots();
  auto t = std::make_shared<DecodeTables>();
  for (uint32_t p = 0; p < n && t->sources.size() < k; ++p)
    if (!erased[p]) t->sources.push_back(p);
  for (uint32_t p = 0; p < n; ++p)
    if (targets[p]) t->targets.push_back(p);

  // Rows of the generator for the surviving shards; its inverse maps them back
  // to the data shards.
  std::vector<uint8_t> sub(static_cast<size_t>(k) * k), inv(static_cast<size_t>(k) * k);
  for (uint32_t r = 0; r < k; ++r)
    for (uint32_t c = 0; c < k; ++c)
      sub[r * k + c] = matrix_[t->sources[r] * k + c];
  if (gf_invert_matrix(sub.data(), inv.data(), static_cast<int>(k)) != 0)
    throw std::logic_error("codec: singular decode matrix (generator is not MDS?)");

  // A data target is a row of the inverse; a parity target is its generator row
  // times the inverse (re-encode the recovered data in one pass).
  std::vector<uint8_t> rows(t->targets.size() * k);
  for (size_t i = 0; i < t->targets.size(); ++i) {
    uint32_t target = t->targets[i];
    uint8_t* row = &rows[i * k];
    if (target < k) {
      for (uint32_t c = 0; c < k; ++c)
        row[c] = inv[target * k + c];
    } else {
      const uint8_t* g = &matrix_[target * k];
      for (uint32_t c = 0; c < k; ++c) {
        uint8_t acc = 0;
        for (uint32_t j = 0; j < k; ++j)
          acc ^= gf_mul(g[j], inv[j * k + c]);
        row[c] = acc;
      }
    }
  }
  t->gftbls.resize(32 * static_cast<size_t>(k) * t->targets.size());
  ec_init_tables(static_cast<int>(k), static_cast<int>(t->targets.size()), rows.data(),
                 t->gftbls.data());
  return t;
}

void ReedSolomonCodec::reconstruct(std::span<uint8_t* const> shards, const ShardMask& erased,
                                   const ShardMask& targets) const {
  const uint32_t n = params_.slots();
  if (shards.size() != n)
    throw std::invalid_argument("codec: reconstruct needs " + std::to_string(n) +
                                " shard pointers, got " + std::to_string(shards.size()));
  for (uint32_t p = n; p < kMaxShards; ++p)
    if (erased[p] || targets[p])
      throw std::invalid_argument("codec: position " + std::to_string(p) + " is out of range");
  if ((targets & ~erased).any())
    throw std::invalid_argument("codec: reconstruct targets must be erased positions");
  if (erased.count() > params_.m)
    throw ErasureError("codec: " + std::to_string(erased.count()) + " shards erased, at most M=" +
                       std::to_string(params_.m) + " can be recovered");
  if (targets.none()) return;

  auto tables = cache_.get(erased, targets, [&] { return make_tables(erased, targets); });
  std::vector<uint8_t*> src(tables->sources.size()), dst(tables->targets.size());
  for (size_t i = 0; i < src.size(); ++i)
    src[i] = shards[tables->sources[i]];
  for (size_t i = 0; i < dst.size(); ++i)
    dst[i] = shards[tables->targets[i]];
  for (auto* p : src)
    if (!p) throw std::invalid_argument("codec: null pointer for a surviving shard");
  for (auto* p : dst)
    if (!p) throw std::invalid_argument("codec: null pointer for a target shard");
  ec_encode_data(static_cast<int>(block_size_), static_cast<int>(src.size()),
                 static_cast<int>(dst.size()), const_cast<uint8_t*>(tables->gftbls.data()),
                 src.data(), dst.data());
}

}  // namespace codex::erasure
