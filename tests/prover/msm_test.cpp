// Pippenger MSM against the naive sum of scalar multiplications: random
// and edge-case scalars (0, 1, r − 1, digits at the signed-window boundary),
// repeated and opposite points, the identity, small (witness-like) scalars,
// every window width, with and without GLV, several thread counts; plus the
// GLV endomorphism and scalar split on their own.
#include <gtest/gtest.h>

#include <random>

#include "prover/curve/endomorphism.h"
#include "prover/error.h"
#include "prover/msm/glv.h"
#include "prover/msm/msm.h"
#include "prover/msm/pippenger.h"

namespace codex::prover::msm {
namespace {

using curve::G1;
using curve::G1Affine;
using curve::G2;
using curve::G2Affine;

template <class A, class J>
J naive(const std::vector<A>& ps, const std::vector<Fr>& ks) {
  J acc;
  for (size_t i = 0; i < ps.size(); ++i)
    acc += J(ps[i]) * ks[i];
  return acc;
}

std::vector<Fr> scalars(size_t n, std::mt19937_64& rng) {
  std::vector<Fr> ks(n);
  for (auto& k : ks)
    k = Fr::random(rng);
  const Fr edge[] = {Fr(),
                     Fr::one(),
                     -Fr::one(),
                     Fr::from_u64(4),
                     Fr::from_u64(0x7fff),
                     Fr::from_u64(0x8000),
                     -Fr::from_u64(0x8000),
                     curve::glv_lambda(),
                     -curve::glv_lambda()};
  for (size_t i = 0; i < n && i < std::size(edge); ++i)
    ks[i] = edge[i];
  return ks;
}

Fr from_u128(field::u128 v) {
  return Fr::from_int({uint64_t(v), uint64_t(v >> 64), 0, 0});
}

TEST(Msm, SignedDigitsReconstructScalar) {
  std::mt19937_64 rng(5);
  for (unsigned c = 2; c <= kMaxWindow; ++c) {
    for (int t = 0; t < 20; ++t) {
      Fr k = t == 0 ? -Fr::one() : Fr::random(rng);
      size_t windows = (254 + c) / c;
      std::vector<int16_t> d(windows);
      detail::signed_digits(k.to_int(), c, windows, d.data());
      Fr acc, base = Fr::one(), two_c = Fr::from_u64(uint64_t(1) << c);
      for (size_t w = 0; w < windows; ++w) {
        const int digit = -int(d[w]);  // stored negated
        EXPECT_LE(digit, 1 << (c - 1));
        EXPECT_GT(digit, -(1 << (c - 1)));
        acc +=
            (digit >= 0 ? Fr::from_u64(uint64_t(digit)) : -Fr::from_u64(uint64_t(-digit))) * base;
        base *= two_c;
      }
      EXPECT_EQ(acc, k) << "c = " << c;
    }
  }
}

TEST(Msm, EndomorphismActsAsLambda) {
  std::mt19937_64 rng(9);
  const Fr lambda = curve::glv_lambda();
  EXPECT_TRUE((lambda * lambda * lambda).is_one());
  EXPECT_FALSE(lambda.is_one());
  for (int t = 0; t < 3; ++t) {
    G1Affine p = (G1(curve::g1_generator()) * Fr::random(rng)).to_affine();
    EXPECT_EQ(G1(curve::glv_endomorphism(p)), G1(p) * lambda);
    G2Affine q = (G2(curve::g2_generator()) * Fr::random(rng)).to_affine();
    G2Affine fq = curve::glv_endomorphism(q);
    EXPECT_TRUE(curve::g2_is_valid(fq));
    EXPECT_EQ(G2(fq), G2(q) * lambda);
  }
  EXPECT_TRUE(curve::glv_endomorphism(G1Affine()).infinity);
}

TEST(Msm, GlvSplitRecombinesWithShortHalves) {
  std::mt19937_64 rng(10);
  const Fr lambda = curve::glv_lambda();
  std::vector<Fr> ks = {
      Fr(), Fr::one(), -Fr::one(), -Fr::from_u64(2), lambda, -lambda, Fr::from_u64(~uint64_t(0))};
  for (int t = 0; t < 2000; ++t)
    ks.push_back(Fr::random(rng));
  for (const Fr& k : ks) {
    GlvScalar s = glv_split(k.to_int());
    EXPECT_EQ(s.k1 >> 127, 0u);
    EXPECT_EQ(s.k2 >> 127, 0u);
    Fr k1 = from_u128(s.k1), k2 = from_u128(s.k2);
    if (s.neg1) k1 = -k1;
    if (s.neg2) k2 = -k2;
    ASSERT_EQ(k1 + k2 * lambda, k) << k;
  }
  // Small scalars stay in the first half.
  GlvScalar s = glv_split(Fr::from_u64(12345).to_int());
  EXPECT_EQ(s.k1, 12345u);
  EXPECT_EQ(s.k2, 0u);
}

template <class C, class A, class J>
void check_all_options(const std::vector<A>& ps, const std::vector<Fr>& ks, const J& expected,
                       const std::string& what) {
  std::span<const A> pspan(ps);
  for (Glv glv : {Glv::kOn, Glv::kOff}) {
    for (unsigned threads : {1u, 2u, 3u}) {
      MsmOptions o{.threads = threads, .window = 0, .glv = glv};
      EXPECT_EQ(pippenger<C>(pspan, ks, o), expected)
          << what << " glv " << int(glv) << " t " << threads;
    }
  }
}

TEST(Msm, G1MatchesNaive) {
  std::mt19937_64 rng(6);
  const G1 g = curve::g1_generator();
  for (size_t n : {0u, 1u, 2u, 7u, 100u, 700u}) {
    std::vector<G1Affine> ps;
    for (size_t i = 0; i < n; ++i)
      ps.push_back((g * Fr::random(rng)).to_affine());
    if (n >= 7) {
      ps[3] = ps[2];       // repeated point
      ps[4] = -ps[2];      // opposite point
      ps[5] = G1Affine();  // identity
    }
    auto ks = scalars(n, rng);
    G1 expected = naive<G1Affine, G1>(ps, ks);
    EXPECT_EQ(msm_g1(ps, ks), expected) << n;
    EXPECT_EQ(msm_g1(ps, ks, 1), expected) << n;
    check_all_options<curve::G1Curve>(ps, ks, expected, "n " + std::to_string(n));
    if (n == 100) {
      for (unsigned c : {2u, 3u, 5u, 8u, kMaxWindow}) {
        for (Glv glv : {Glv::kOn, Glv::kOff}) {
          MsmOptions o{.threads = 2, .window = c, .glv = glv};
          EXPECT_EQ(pippenger<curve::G1Curve>(std::span<const G1Affine>(ps), ks, o), expected) << c;
        }
      }
    }
  }
}

TEST(Msm, G2MatchesNaive) {
  std::mt19937_64 rng(7);
  const G2 g = curve::g2_generator();
  for (size_t n : {1u, 2u, 80u, 600u}) {
    std::vector<G2Affine> ps;
    for (size_t i = 0; i < n; ++i)
      ps.push_back((g * Fr::random(rng)).to_affine());
    if (n >= 10) {
      ps[9] = -ps[8];
      ps[7] = ps[6];
      ps[5] = G2Affine();
    }
    auto ks = scalars(ps.size(), rng);
    G2 expected = naive<G2Affine, G2>(ps, ks);
    EXPECT_EQ(msm_g2(ps, ks), expected);
    check_all_options<curve::G2Curve>(ps, ks, expected, "g2 n " + std::to_string(n));
  }
}

TEST(Msm, AllScalarsZeroOrAllPointsInfinity) {
  std::mt19937_64 rng(11);
  std::vector<G1Affine> ps(300);
  for (auto& p : ps)
    p = (G1(curve::g1_generator()) * Fr::random(rng)).to_affine();
  std::vector<Fr> zeros(ps.size());
  EXPECT_TRUE(msm_g1(ps, zeros).is_identity());
  std::vector<G1Affine> inf(ps.size());
  EXPECT_TRUE(msm_g1(inf, scalars(ps.size(), rng)).is_identity());
}

// Many repeated and opposite points with many equal small scalars (like
// witness values 0/1): the batches hit the doubling, cancellation,
// collision and overflow paths.
TEST(Msm, RepeatedPointsAndSmallScalars) {
  std::mt19937_64 rng(8);
  const G1 g = curve::g1_generator();
  const size_t n = 3000;
  std::vector<G1Affine> ps(n), distinct;
  for (size_t i = 0; i < 64; ++i)
    distinct.push_back((g * Fr::random(rng)).to_affine());
  for (size_t i = 0; i < n; ++i) {
    ps[i] = distinct[i % 64];
    if (i % 3 == 0) ps[i] = -ps[i];
    if (i % 97 == 0) ps[i] = G1Affine();
  }
  for (int mode = 0; mode < 3; ++mode) {
    std::vector<Fr> ks(n);
    for (size_t i = 0; i < n; ++i) {
      if (mode == 0) ks[i] = i % 5 == 0 ? Fr::from_u64(i % 11) : Fr::random(rng);
      if (mode == 1) ks[i] = Fr::from_u64(i % 2);  // bits
      if (mode == 2) ks[i] = i % 4 ? Fr::one() : Fr::from_u64(rng() % 1000);
    }
    // Σ kᵢ·Pᵢ grouped by distinct point: 64 scalar multiplications.
    std::vector<Fr> per_point(64);
    for (size_t i = 0; i < n; ++i) {
      if (ps[i].infinity) continue;
      per_point[i % 64] += (i % 3 == 0) ? -ks[i] : ks[i];
    }
    G1 expected = naive<G1Affine, G1>(distinct, per_point);
    check_all_options<curve::G1Curve>(ps, ks, expected, "mode " + std::to_string(mode));
    for (unsigned c : {2u, 9u}) {
      MsmOptions o{.threads = 2, .window = c, .glv = Glv::kOn};
      EXPECT_EQ(pippenger<curve::G1Curve>(std::span<const G1Affine>(ps), ks, o), expected);
    }
  }

  const G2 h = curve::g2_generator();
  std::vector<G2Affine> qs(n);
  for (size_t i = 0; i < 32; ++i)
    qs[i] = (h * Fr::random(rng)).to_affine();
  for (size_t i = 32; i < n; ++i)
    qs[i] = i % 2 ? qs[i % 32] : -qs[(i + 5) % 32];
  std::vector<Fr> ks(n);
  for (size_t i = 0; i < n; ++i)
    ks[i] = i % 3 ? Fr::one() : Fr::random(rng);
  std::vector<Fr> per_point(32);
  for (size_t i = 0; i < n; ++i) {
    if (i < 32 || i % 2) {
      per_point[i % 32] += ks[i];
    } else {
      per_point[(i + 5) % 32] -= ks[i];
    }
  }
  std::vector<G2Affine> first(qs.begin(), qs.begin() + 32);
  G2 expected = naive<G2Affine, G2>(first, per_point);
  check_all_options<curve::G2Curve>(qs, ks, expected, "g2 repeated");
}

// Scalars of a chosen bit length, so that the top window holds 0, 1 or a few
// bits (it spreads each digit over bucket copies), up to the widest window;
// and one scalar for every point (all digits collide in every window).
TEST(Msm, TopWindowAndWideWindows) {
  std::mt19937_64 rng(12);
  const G1 g = curve::g1_generator();
  const size_t n = 1200;
  std::vector<G1Affine> ps(n);
  for (auto& p : ps)
    p = (g * Fr::random(rng)).to_affine();
  ps[7] = ps[6];
  ps[9] = -ps[8];
  ps[11] = G1Affine();
  std::span<const G1Affine> pspan(ps);
  auto with_bits = [&](unsigned bits, bool same_top) {
    std::vector<Fr> ks(n);
    for (auto& k : ks) {
      field::Limbs<4> v = Fr::random(rng).to_int();
      for (unsigned b = bits; b < 256; ++b)
        v[b / 64] &= ~(uint64_t(1) << (b % 64));
      if (same_top) v[(bits - 1) / 64] &= ~(uint64_t(1) << ((bits - 2) % 64));
      v[(bits - 1) / 64] |= uint64_t(1) << ((bits - 1) % 64);
      k = Fr::from_int(v);
    }
    ks[0] = Fr();
    ks[1] = Fr::one();
    return ks;
  };
  struct Case {
    unsigned bits;
    std::vector<unsigned> windows;
  };
  // bits = W·c (top window: carries only), W·c + 1, and a few top bits.
  const Case cases[] = {{32, {16, 8, 4}}, {33, {16, 8, 2}}, {36, {16, 11, 3}}, {100, {9, 13, 16}}};
  for (const Case& cs : cases) {
    for (bool same_top : {false, true}) {
      const auto ks = with_bits(cs.bits, same_top);
      const G1 expected = naive<G1Affine, G1>(ps, ks);
      for (unsigned c : cs.windows) {
        for (unsigned threads : {1u, 3u}) {
          MsmOptions o{.threads = threads, .window = c, .glv = Glv::kOff};
          EXPECT_EQ(pippenger<curve::G1Curve>(pspan, ks, o), expected)
              << "bits " << cs.bits << " c " << c << " t " << threads << " same " << same_top;
        }
      }
      MsmOptions glv{.threads = 2, .window = 16, .glv = Glv::kOn};
      EXPECT_EQ(pippenger<curve::G1Curve>(pspan, ks, glv), expected) << "glv bits " << cs.bits;
      EXPECT_EQ(msm_g1(ps, ks, 2), expected) << "auto bits " << cs.bits;
    }
  }
  // Full-size scalars at the widest window, and r − 1 for every point.
  const auto full = scalars(n, rng);
  const G1 expected_full = naive<G1Affine, G1>(ps, full);
  MsmOptions wide{.threads = 2, .window = kMaxWindow, .glv = Glv::kOff};
  EXPECT_EQ(pippenger<curve::G1Curve>(pspan, full, wide), expected_full);
  const std::vector<Fr> minus_one(n, -Fr::one());
  G1 neg_sum;
  for (const auto& p : ps)
    neg_sum += -G1(p);
  for (unsigned c : {0u, 13u, kMaxWindow})
    for (Glv glv : {Glv::kOn, Glv::kOff}) {
      MsmOptions o{.threads = 2, .window = c, .glv = glv};
      EXPECT_EQ(pippenger<curve::G1Curve>(pspan, minus_one, o), neg_sum) << c;
    }
}

// G2 with a small top window (copies of 128-byte buckets).
TEST(Msm, G2TopWindow) {
  std::mt19937_64 rng(13);
  const G2 h = curve::g2_generator();
  std::vector<G2Affine> qs(300);
  for (auto& q : qs)
    q = (h * Fr::random(rng)).to_affine();
  qs[3] = qs[2];
  qs[5] = -qs[4];
  std::vector<Fr> ks(qs.size());
  for (size_t i = 0; i < ks.size(); ++i)
    ks[i] = Fr::from_u64((uint64_t(1) << 40) + rng() % 1000);
  const G2 expected = naive<G2Affine, G2>(qs, ks);
  for (unsigned c : {0u, 10u, 13u}) {
    MsmOptions o{.threads = 2, .window = c, .glv = Glv::kOff};
    EXPECT_EQ(pippenger<curve::G2Curve>(std::span<const G2Affine>(qs), ks, o), expected) << c;
  }
  EXPECT_EQ(msm_g2(qs, ks, 2), expected);
}

TEST(Msm, RejectsBadInput) {
  std::vector<G1Affine> ps(3);
  std::vector<Fr> ks(2);
  EXPECT_THROW(msm_g1(ps, ks), InvalidInput);
  std::vector<Fr> ks3(3);
  for (unsigned c : {1u, kMaxWindow + 1}) {
    MsmOptions o{.threads = 1, .window = c};
    EXPECT_THROW(pippenger<curve::G1Curve>(std::span<const G1Affine>(ps), ks3, o), InvalidInput);
  }
}

}  // namespace
}  // namespace codex::prover::msm
