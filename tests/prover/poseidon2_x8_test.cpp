// The 8-lane Poseidon2 path (field/fr_x8.h, permutation_x8.h, bytes_x8.h)
// against the scalar one, lane by lane: field ops on random and edge values,
// thousands of random states, and byte hashes of many lengths.
#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "prover/error.h"
#include "prover/field/fr_x8.h"
#include "prover/poseidon2/bytes.h"
#include "prover/poseidon2/bytes_x8.h"
#include "prover/poseidon2/permutation_x8.h"
#include "prover/slots/block_tree.h"

namespace codex::prover {
namespace {

using namespace poseidon2;

Fr random_fr(std::mt19937_64& rng) {
  Fr::Repr a;
  do {
    for (auto& w : a)
      w = rng();
    a[3] &= (uint64_t(1) << 62) - 1;
  } while (!field::limbs_less(a, Fr::kModulus));
  return Fr::from_int(a);
}

// 0, 1, r - 1, r - 2, 2^k, and random values.
std::vector<Fr> edge_and_random(std::mt19937_64& rng, size_t n_random) {
  std::vector<Fr> v = {Fr::zero(),
                       Fr::one(),
                       -Fr::one(),
                       -Fr::one() - Fr::one(),
                       Fr::from_u64(uint64_t(1) << 63),
                       Fr::from_u64(~uint64_t(0))};
  Fr::Repr m1 = Fr::kModulus;
  m1[0] -= 1;
  v.push_back(Fr::from_int(m1));
  for (size_t i = 0; i < n_random; ++i)
    v.push_back(random_fr(rng));
  return v;
}

std::array<Fr, 8> pick8(const std::vector<Fr>& v, std::mt19937_64& rng) {
  std::array<Fr, 8> a;
  for (auto& x : a)
    x = v[rng() % v.size()];
  return a;
}

TEST(FrX8, RoundTripAndArithmeticMatchScalar) {
  std::mt19937_64 rng(1);
  std::vector<Fr> vals = edge_and_random(rng, 64);
  for (int iter = 0; iter < 2000; ++iter) {
    std::array<Fr, 8> a = pick8(vals, rng), b = pick8(vals, rng);
    FrX8 x = FrX8::from_fr(a), y = FrX8::from_fr(b);
    std::array<Fr, 8> same = x.to_fr(), sum = (x + y).to_fr(), prod = (x * y).to_fr(),
                      sq = x.square().to_fr();
    // Chains keep the representation's bounds.
    FrX8 z = x;
    for (int i = 0; i < 5; ++i)
      z = (z + y).square() * (z + z);
    std::array<Fr, 8> chain = z.to_fr();
    for (size_t i = 0; i < 8; ++i) {
      ASSERT_EQ(same[i], a[i]);
      ASSERT_EQ(sum[i], a[i] + b[i]);
      ASSERT_EQ(prod[i], a[i] * b[i]);
      ASSERT_EQ(sq[i], a[i].square());
      Fr w = a[i];
      for (int k = 0; k < 5; ++k)
        w = (w + b[i]).square() * (w + w);
      ASSERT_EQ(chain[i], w);
    }
  }
}

TEST(FrX8, BroadcastAndCanonical) {
  Fr x = Fr::from_u64(123456789);
  for (const Fr& v : FrX8::broadcast(x).to_fr())
    EXPECT_EQ(v, x);
  std::array<Fr::Repr, 8> reprs;
  std::mt19937_64 rng(2);
  for (auto& r : reprs)
    r = random_fr(rng).to_int();
  std::array<Fr, 8> out = FrX8::from_canonical_unchecked(reprs).to_fr();
  for (size_t i = 0; i < 8; ++i)
    EXPECT_EQ(out[i], Fr::from_int(reprs[i]));
}

#if defined(__AVX512F__)
namespace x8 = field::x8;

// k·r + v as 29-bit limbs, with the lower limbs pushed up towards 2^30 by
// borrowing from the next limb (same value, the worst case for column sums).
x8::Limbs29 wide_limbs(const Fr::Repr& v, uint64_t k, bool spread) {
  x8::Limbs29 a = x8::split29(v), r = x8::kP;
  uint64_t carry = 0;
  for (int i = 0; i < x8::kLimbs; ++i) {
    uint64_t t = a[i] + k * r[i] + carry;
    a[i] = i + 1 < x8::kLimbs ? (t & x8::kMask) : t;
    carry = t >> x8::kLimbBits;
  }
  if (spread) {
    for (int i = 0; i + 1 < x8::kLimbs; ++i) {
      if (a[i + 1] > 0) {
        a[i] += uint64_t(1) << x8::kLimbBits;
        a[i + 1] -= 1;
      }
    }
  }
  return a;
}

// The field element a lane with raw value w stands for: w·2^-261.
Fr lane_value(const x8::Limbs29& w) {
  static const Fr inv = Fr::from_u64(2).pow(261).inverse();
  Fr acc = Fr::zero();
  Fr base = Fr::one();
  const Fr limb_base = Fr::from_u64(uint64_t(1) << x8::kLimbBits);
  for (int i = 0; i < x8::kLimbs; ++i) {
    acc += base * Fr::from_u64(w[i]);
    base *= limb_base;
  }
  return acc * inv;
}

TEST(FrX8Kernel, MulAndReduceAtTheirBounds) {
  std::mt19937_64 rng(6);
  for (int iter = 0; iter < 500; ++iter) {
    std::array<x8::Limbs29, 8> a, b, c;
    for (size_t i = 0; i < 8; ++i) {
      a[i] = wide_limbs(random_fr(rng).to_int(), rng() % 9, true);  // < 9r, limbs < 2^30
      b[i] = wide_limbs(random_fr(rng).to_int(), rng() % 9, true);
      c[i] = wide_limbs(random_fr(rng).to_int(), rng() % 10, true);  // < 10r for reduce_lazy
    }
    x8::Vec va = x8::load_lanes(a), vb = x8::load_lanes(b), vc = x8::load_lanes(c);
    std::array<x8::Limbs29, 8> prod = x8::store_lanes(x8::mul(va, vb));
    std::array<x8::Limbs29, 8> sq = x8::store_lanes(x8::sqr(va));
    x8::reduce_lazy(vc);
    std::array<x8::Limbs29, 8> red = x8::store_lanes(vc);
    for (size_t i = 0; i < 8; ++i) {
      for (int k = 0; k + 1 < x8::kLimbs; ++k) {
        ASSERT_LE(prod[i][k], x8::kMask);
        ASSERT_LE(red[i][k], x8::kMask);
      }
      // Products are < 1.5r, lazy reductions < 2.001r: top limb bounds.
      ASSERT_LT(prod[i][8], 2 * (x8::kP[8] + 1));
      ASSERT_LT(red[i][8], 2 * (x8::kP[8] + 1) + 1);
      ASSERT_EQ(lane_value(prod[i]), lane_value(a[i]) * lane_value(b[i]));
      ASSERT_EQ(lane_value(sq[i]), lane_value(a[i]).square());
      ASSERT_EQ(lane_value(red[i]), lane_value(c[i]));
    }
  }
}
#endif

TEST(PermuteX8, MatchesScalarOnRandomAndEdgeStates) {
  std::mt19937_64 rng(3);
  std::vector<Fr> vals = edge_and_random(rng, 0);
  for (int iter = 0; iter < 400; ++iter) {  // 3200 states
    std::array<State, 8> states;
    for (auto& s : states)
      for (auto& x : s)
        x = (rng() % 4 == 0) ? vals[rng() % vals.size()] : random_fr(rng);
    std::array<State, 8> expected = states;
    for (auto& s : expected)
      permute(s);
    permute_x8(states);
    for (size_t i = 0; i < 8; ++i)
      ASSERT_EQ(states[i], expected[i]) << "iteration " << iter << " lane " << i;
  }
}

TEST(PermuteX8, AllEdgeStates) {
  // Every state made of 0, 1, r - 1 (27 states, all lanes).
  const Fr e[3] = {Fr::zero(), Fr::one(), -Fr::one()};
  std::vector<State> all;
  for (const Fr& a : e)
    for (const Fr& b : e)
      for (const Fr& c : e)
        all.push_back({a, b, c});
  for (size_t off = 0; off < all.size(); off += 8) {
    std::array<State, 8> states;
    for (size_t i = 0; i < 8; ++i)
      states[i] = all[(off + i) % all.size()];
    std::array<State, 8> expected = states;
    for (auto& s : expected)
      permute(s);
    permute_x8(states);
    for (size_t i = 0; i < 8; ++i)
      EXPECT_EQ(states[i], expected[i]);
  }
}

TEST(PermuteX8, IteratedStaysExact) {
  // Outputs fed back as inputs (the sponge's use).
  std::mt19937_64 rng(4);
  std::array<State, 8> scalar;
  for (auto& s : scalar)
    for (auto& x : s)
      x = random_fr(rng);
  StateX8 sx;
  for (size_t j = 0; j < 3; ++j) {
    std::array<Fr, 8> lane;
    for (size_t i = 0; i < 8; ++i)
      lane[i] = scalar[i][j];
    sx[j] = FrX8::from_fr(lane);
  }
  for (int round = 0; round < 20; ++round) {
    permute_x8(sx);
    for (auto& s : scalar)
      permute(s);
  }
  for (size_t j = 0; j < 3; ++j) {
    std::array<Fr, 8> lane = sx[j].to_fr();
    for (size_t i = 0; i < 8; ++i)
      EXPECT_EQ(lane[i], scalar[i][j]);
  }
}

void expect_hashes_match(size_t len, std::mt19937_64& rng) {
  std::vector<std::vector<uint8_t>> data(8, std::vector<uint8_t>(len));
  for (size_t i = 0; i < 8; ++i)
    for (auto& b : data[i])
      b = uint8_t(i == 7 ? 0xff : rng());  // lane 7: all ones
  std::array<std::span<const uint8_t>, 8> spans;
  for (size_t i = 0; i < 8; ++i)
    spans[i] = data[i];
  std::array<Fr, 8> got = hash_bytes_x8(spans);
  for (size_t i = 0; i < 8; ++i)
    ASSERT_EQ(got[i], hash_bytes(data[i])) << "length " << len << " lane " << i;
}

TEST(HashBytesX8, MatchesScalarForManyLengths) {
  std::mt19937_64 rng(5);
  for (size_t len : {0, 1, 2, 30, 31, 32, 61, 62, 63, 93, 100, 2047, 2048, 2049, 4096})
    expect_hashes_match(len, rng);
}

TEST(HashBytesX8, LanesAreIndependent) {
  // Same data except one byte in one lane: only that lane's hash changes.
  std::vector<std::vector<uint8_t>> data(8, std::vector<uint8_t>(2048, 0x5a));
  data[3][1000] ^= 1;
  std::array<std::span<const uint8_t>, 8> spans;
  for (size_t i = 0; i < 8; ++i)
    spans[i] = data[i];
  std::array<Fr, 8> got = hash_bytes_x8(spans);
  for (size_t i = 0; i < 8; ++i) {
    if (i == 3)
      EXPECT_NE(got[i], got[0]);
    else
      EXPECT_EQ(got[i], got[0]);
  }
  EXPECT_EQ(got[3], hash_bytes(data[3]));
}

TEST(HashBytesX8, RejectsUnequalLengths) {
  std::vector<uint8_t> a(64), b(63);
  std::array<std::span<const uint8_t>, 8> spans;
  spans.fill(a);
  spans[5] = b;
  EXPECT_THROW(hash_bytes_x8(spans), InvalidInput);
}

TEST(HashBytesX8, BlockCellHashesUseItWithScalarRemainder) {
  // 8-cell groups plus a remainder of 3 (and a block smaller than one group).
  std::mt19937_64 rng(7);
  for (size_t cells : {19, 5}) {
    const size_t cell_size = 93;
    std::vector<uint8_t> block(cells * cell_size);
    for (auto& b : block)
      b = uint8_t(rng());
    std::vector<Fr> got = slots::cell_hashes(block, cell_size);
    ASSERT_EQ(got.size(), cells);
    for (size_t i = 0; i < cells; ++i) {
      EXPECT_EQ(got[i],
                hash_bytes(std::span<const uint8_t>(block).subspan(i * cell_size, cell_size)))
          << "cell " << i;
    }
  }
}

}  // namespace
}  // namespace codex::prover
