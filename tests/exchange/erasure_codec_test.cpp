// The Reed–Solomon codec (ISA-L, Cauchy, GF(2^8)): every loss pattern of up
// to M shards recovers the exact bytes, M + 1 losses fail clearly.
//
// Coverage of loss patterns: exhaustive where enumerable — every pattern of at
// most M erasures for (2,1), (3,2) and (10,4) (1471 patterns for (10,4)); for
// (64,32) the C(96, ≤32) patterns are astronomically many, so we test every
// single loss plus a few hundred random patterns of exactly M and of random
// sizes ≤ M.
#include <gtest/gtest.h>
#include <isa-l/erasure_code.h>

#include <algorithm>
#include <atomic>
#include <random>
#include <thread>

#include "exchange/erasure/codec.h"
#include "exchange/erasure/errors.h"

namespace codex::erasure {
namespace {

using Bytes = std::vector<uint8_t>;

struct Codeword {
  std::vector<Bytes> shards;  // K data then M parity

  Codeword(const ReedSolomonCodec& codec, std::mt19937_64& rng) {
    shards.assign(codec.k() + codec.m(), Bytes(codec.block_size()));
    for (uint32_t p = 0; p < codec.k(); ++p)
      for (auto& b : shards[p])
        b = static_cast<uint8_t>(rng());
    std::vector<const uint8_t*> data;
    std::vector<uint8_t*> parity;
    for (uint32_t p = 0; p < codec.k(); ++p)
      data.push_back(shards[p].data());
    for (uint32_t p = codec.k(); p < shards.size(); ++p)
      parity.push_back(shards[p].data());
    codec.encode(data, parity);
  }
};

// Erases `erased` (overwrites with garbage), reconstructs, and compares every
// shard with the original codeword.
void expect_recovers(const ReedSolomonCodec& codec, const Codeword& cw, const ShardMask& erased) {
  auto work = cw.shards;
  std::vector<uint8_t*> ptrs;
  for (uint32_t p = 0; p < work.size(); ++p) {
    if (erased[p]) std::fill(work[p].begin(), work[p].end(), 0xA5);
    ptrs.push_back(work[p].data());
  }
  codec.reconstruct(ptrs, erased);
  for (uint32_t p = 0; p < work.size(); ++p)
    ASSERT_EQ(work[p], cw.shards[p]) << "position " << p << " erased " << erased.to_string();
}

// Calls fn for every subset of {0..n−1} with at most `max` elements.
template <class Fn>
void for_each_subset(uint32_t n, uint32_t max, ShardMask cur, uint32_t from, const Fn& fn) {
  fn(cur);
  if (cur.count() == max) return;
  for (uint32_t p = from; p < n; ++p) {
    cur.set(p);
    for_each_subset(n, max, cur, p + 1, fn);
    cur.reset(p);
  }
}

ShardMask random_subset(uint32_t n, uint32_t size, std::mt19937_64& rng) {
  std::vector<uint32_t> pos(n);
  for (uint32_t i = 0; i < n; ++i)
    pos[i] = i;
  std::shuffle(pos.begin(), pos.end(), rng);
  ShardMask mask;
  for (uint32_t i = 0; i < size; ++i)
    mask.set(pos[i]);
  return mask;
}

void expect_too_many(const ReedSolomonCodec& codec, const Codeword& cw, const ShardMask& erased) {
  auto work = cw.shards;
  std::vector<uint8_t*> ptrs;
  for (auto& s : work)
    ptrs.push_back(s.data());
  EXPECT_THROW(codec.reconstruct(ptrs, erased), ErasureError) << erased.to_string();
  // Nothing was written.
  EXPECT_EQ(work, cw.shards);
}

class ExhaustiveLosses : public ::testing::TestWithParam<std::pair<uint32_t, uint32_t>> {};

TEST_P(ExhaustiveLosses, EveryPatternUpToMRecovers) {
  auto [k, m] = GetParam();
  std::mt19937_64 rng(k * 1000 + m);
  for (size_t block : {size_t{64}, size_t{100}}) {  // 100: not a multiple of the SIMD width
    ReedSolomonCodec codec(ErasureParams{k, m}, block, 2048);
    Codeword cw(codec, rng);
    size_t patterns = 0;
    for_each_subset(k + m, m, ShardMask{}, 0, [&](const ShardMask& erased) {
      ++patterns;
      expect_recovers(codec, cw, erased);
    });
    EXPECT_GT(patterns, size_t{k + m});
    // Every pattern of M + 1 fails (a sample of them for (10,4)).
    size_t tried = 0;
    for_each_subset(k + m, m + 1, ShardMask{}, 0, [&](const ShardMask& erased) {
      if (erased.count() == m + 1 && tried++ < 200) expect_too_many(codec, cw, erased);
    });
  }
}

INSTANTIATE_TEST_SUITE_P(SmallCodes, ExhaustiveLosses,
                         ::testing::Values(std::pair{2u, 1u}, std::pair{3u, 2u}, std::pair{10u, 4u},
                                           std::pair{4u, 4u}));

TEST(ReedSolomonCodec, LargeCodeRandomPatterns) {
  std::mt19937_64 rng(6432);
  ReedSolomonCodec codec(ErasureParams{64, 32}, 64, 16);
  Codeword cw(codec, rng);
  for (uint32_t p = 0; p < 96; ++p)
    expect_recovers(codec, cw, ShardMask().set(p));
  for (int i = 0; i < 200; ++i)
    expect_recovers(codec, cw, random_subset(96, 32, rng));
  for (int i = 0; i < 100; ++i)
    expect_recovers(codec, cw, random_subset(96, 1 + rng() % 32, rng));
  // All parity lost, all-but-K-data lost.
  ShardMask parity;
  for (uint32_t p = 64; p < 96; ++p)
    parity.set(p);
  expect_recovers(codec, cw, parity);
  for (int i = 0; i < 20; ++i)
    expect_too_many(codec, cw, random_subset(96, 33, rng));
  EXPECT_LE(codec.decode_cache().size(), 16u);  // bounded LRU
}

TEST(ReedSolomonCodec, MaximalCode) {
  std::mt19937_64 rng(256);
  ReedSolomonCodec codec(ErasureParams{128, 128}, 64, 4);
  Codeword cw(codec, rng);
  for (int i = 0; i < 5; ++i)
    expect_recovers(codec, cw, random_subset(256, 128, rng));
  ShardMask data;
  for (uint32_t p = 0; p < 128; ++p)
    data.set(p);
  expect_recovers(codec, cw, data);  // rebuild all data from parity alone
}

// The code is the systematic Cauchy code of ISA-L: parity = C · data over
// GF(2^8), checked against a byte-by-byte product with gf_mul.
TEST(ReedSolomonCodec, ParityIsTheCauchyProduct) {
  std::mt19937_64 rng(7);
  ReedSolomonCodec codec(ErasureParams{5, 3}, 64);
  Codeword cw(codec, rng);
  const auto& g = codec.generator();
  for (uint32_t r = 0; r < 5; ++r)
    for (uint32_t c = 0; c < 5; ++c)
      ASSERT_EQ(g[r * 5 + c], r == c ? 1 : 0);
  for (uint32_t j = 0; j < 3; ++j)
    for (size_t b = 0; b < 64; ++b) {
      uint8_t acc = 0;
      for (uint32_t c = 0; c < 5; ++c)
        acc ^= gf_mul(g[(5 + j) * 5 + c], cw.shards[c][b]);
      ASSERT_EQ(cw.shards[5 + j][b], acc);
    }
  // Row 5 is 1/(5 ^ c): the first Cauchy row.
  for (uint32_t c = 0; c < 5; ++c)
    EXPECT_EQ(gf_mul(g[5 * 5 + c], 5 ^ c), 1);
}

TEST(ReedSolomonCodec, OnlyTargetsAreWritten) {
  std::mt19937_64 rng(11);
  ReedSolomonCodec codec(ErasureParams{4, 3}, 64);
  Codeword cw(codec, rng);
  auto work = cw.shards;
  ShardMask erased = ShardMask().set(1).set(4).set(6), targets = ShardMask().set(1);
  for (uint32_t p : {1u, 4u, 6u})
    std::fill(work[p].begin(), work[p].end(), 0x5A);
  std::vector<uint8_t*> ptrs;
  for (auto& s : work)
    ptrs.push_back(s.data());
  ptrs[4] = nullptr;  // erased and not targeted: never touched, may be null
  codec.reconstruct(ptrs, erased, targets);
  EXPECT_EQ(work[1], cw.shards[1]);
  EXPECT_EQ(work[4], Bytes(64, 0x5A));
  EXPECT_EQ(work[6], Bytes(64, 0x5A));
}

TEST(ReedSolomonCodec, DecodeTablesAreCachedPerPattern) {
  std::mt19937_64 rng(12);
  ReedSolomonCodec codec(ErasureParams{10, 4}, 64, 3);
  Codeword cw(codec, rng);
  for (int i = 0; i < 5; ++i)
    expect_recovers(codec, cw, ShardMask().set(2).set(11));
  EXPECT_EQ(codec.decode_cache().misses(), 1u);
  EXPECT_EQ(codec.decode_cache().hits(), 4u);
  for (uint32_t p = 0; p < 6; ++p)
    expect_recovers(codec, cw, ShardMask().set(p));
  EXPECT_EQ(codec.decode_cache().size(), 3u);  // bounded
  expect_recovers(codec, cw, ShardMask());     // nothing erased: no tables
  EXPECT_EQ(codec.decode_cache().misses(), 7u);
}

TEST(ReedSolomonCodec, BadArguments) {
  EXPECT_THROW(ReedSolomonCodec(ErasureParams{1, 1}, 64), ErasureParamsError);
  EXPECT_THROW(ReedSolomonCodec(ErasureParams{200, 100}, 64), ErasureParamsError);
  EXPECT_THROW(ReedSolomonCodec(ErasureParams{2, 1}, 0), std::invalid_argument);
  EXPECT_THROW(ReedSolomonCodec(ErasureParams{2, 1}, 64, 0), std::invalid_argument);
  ReedSolomonCodec codec(ErasureParams{3, 2}, 64);
  std::vector<Bytes> bufs(5, Bytes(64));
  std::vector<uint8_t*> ptrs;
  for (auto& b : bufs)
    ptrs.push_back(b.data());
  std::vector<const uint8_t*> data(ptrs.begin(), ptrs.begin() + 3);
  EXPECT_THROW(codec.encode(std::span(data).first(2), std::span(ptrs).subspan(3)),
               std::invalid_argument);
  EXPECT_THROW(codec.encode(data, std::span(ptrs).subspan(2)), std::invalid_argument);
  EXPECT_THROW(codec.reconstruct(std::span(ptrs).first(4), ShardMask().set(0)),
               std::invalid_argument);
  EXPECT_THROW(codec.reconstruct(ptrs, ShardMask().set(0), ShardMask().set(1)),
               std::invalid_argument);  // target not erased
  EXPECT_THROW(codec.reconstruct(ptrs, ShardMask().set(7)), std::invalid_argument);
  auto with_null = ptrs;
  with_null[2] = nullptr;
  EXPECT_THROW(codec.reconstruct(with_null, ShardMask().set(0)), std::invalid_argument);
  try {
    codec.reconstruct(ptrs, ShardMask().set(0).set(1).set(4));
    FAIL();
  } catch (const ErasureError& e) {
    EXPECT_NE(std::string(e.what()).find("at most M=2"), std::string::npos) << e.what();
  }
}

TEST(ReedSolomonCodec, ConcurrentUse) {
  ReedSolomonCodec codec(ErasureParams{10, 4}, 256, 8);
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      std::mt19937_64 rng(100 + t);
      for (int i = 0; i < 200; ++i) {
        Codeword cw(codec, rng);
        ShardMask erased = random_subset(14, 1 + rng() % 4, rng);
        auto work = cw.shards;
        std::vector<uint8_t*> ptrs;
        for (auto& s : work)
          ptrs.push_back(s.data());
        for (uint32_t p = 0; p < 14; ++p)
          if (erased[p]) std::fill(work[p].begin(), work[p].end(), 0);
        codec.reconstruct(ptrs, erased);
        if (work != cw.shards) ++failures;
      }
    });
  for (auto& th : threads)
    th.join();
  EXPECT_EQ(failures.load(), 0);
}

}  // namespace
}  // namespace codex::erasure
