// Pippenger MSM against the naive sum of scalar multiplications: random
// and edge-case scalars (0, 1, r − 1, digits at the signed-window boundary),
// repeated and opposite points, the identity, all window widths, threads.
#include <gtest/gtest.h>

#include <random>

#include "prover/error.h"
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
                     -Fr::from_u64(0x8000)};
  for (size_t i = 0; i < n && i < std::size(edge); ++i)
    ks[i] = edge[i];
  return ks;
}

TEST(Msm, SignedDigitsReconstructScalar) {
  std::mt19937_64 rng(5);
  for (unsigned c = 2; c <= 15; ++c) {
    for (int t = 0; t < 20; ++t) {
      Fr k = t == 0 ? -Fr::one() : Fr::random(rng);
      size_t windows = 254 / c + 1;
      std::vector<int16_t> d(windows);
      detail::signed_digits(k.to_int(), c, windows, d.data());
      Fr acc, base = Fr::one(), two_c = Fr::from_u64(uint64_t(1) << c);
      for (size_t w = 0; w < windows; ++w) {
        EXPECT_LE(std::abs(int(d[w])), 1 << (c - 1));
        acc += (d[w] >= 0 ? Fr::from_u64(uint64_t(d[w])) : -Fr::from_u64(uint64_t(-d[w]))) * base;
        base *= two_c;
      }
      EXPECT_EQ(acc, k) << "c = " << c;
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
    EXPECT_EQ(msm_g1(ps, ks, 3), expected) << n;
    if (n == 100) {
      for (unsigned c = 2; c <= 15; c += 3) {
        EXPECT_EQ(pippenger<curve::G1Curve>(std::span<const G1Affine>(ps), ks, 2, c), expected)
            << c;
      }
    }
  }
}

TEST(Msm, G2MatchesNaive) {
  std::mt19937_64 rng(7);
  const G2 g = curve::g2_generator();
  std::vector<G2Affine> ps;
  for (size_t i = 0; i < 80; ++i)
    ps.push_back((g * Fr::random(rng)).to_affine());
  ps[9] = -ps[8];
  auto ks = scalars(ps.size(), rng);
  EXPECT_EQ(msm_g2(ps, ks), (naive<G2Affine, G2>(ps, ks)));
}

TEST(Msm, BatchAffineMatchesNaive) {
  // Above kBatchAffineThreshold, with many repeated and opposite points so
  // batches hit the doubling, cancellation and collision paths.
  std::mt19937_64 rng(8);
  const G1 g = curve::g1_generator();
  const size_t n = kBatchAffineThreshold + 37;
  std::vector<G1Affine> ps(n);
  std::vector<G1Affine> distinct;
  for (size_t i = 0; i < 64; ++i)
    distinct.push_back((g * Fr::random(rng)).to_affine());
  for (size_t i = 0; i < n; ++i) {
    ps[i] = distinct[i % 64];
    if (i % 3 == 0) ps[i] = -ps[i];
    if (i % 97 == 0) ps[i] = G1Affine();
  }
  std::vector<Fr> ks(n);
  for (size_t i = 0; i < n; ++i) {
    ks[i] = i % 5 == 0 ? Fr::from_u64(i % 11) : Fr::random(rng);  // many equal small digits
  }
  // Σ kᵢ·Pᵢ grouped by distinct point: 64 scalar multiplications.
  std::vector<Fr> per_point(64);
  for (size_t i = 0; i < n; ++i) {
    if (ps[i].infinity) continue;
    per_point[i % 64] += (i % 3 == 0) ? -ks[i] : ks[i];
  }
  G1 expected = naive<G1Affine, G1>(distinct, per_point);
  std::span<const G1Affine> pspan(ps);
  EXPECT_EQ(pippenger<curve::G1Curve>(pspan, ks, 2, 0, true), expected);
  EXPECT_EQ(pippenger<curve::G1Curve>(pspan, ks, 1, 0, false), expected);
  EXPECT_EQ(pippenger<curve::G1Curve>(pspan, ks, 3, 6, true), expected);
  EXPECT_EQ(msm_g1(ps, ks), expected);

  const G2 h = curve::g2_generator();
  std::vector<G2Affine> qs(n);
  for (size_t i = 0; i < 32; ++i)
    qs[i] = (h * Fr::random(rng)).to_affine();
  for (size_t i = 32; i < n; ++i)
    qs[i] = i % 2 ? qs[i % 32] : -qs[(i + 5) % 32];
  std::span<const G2Affine> qspan(qs);
  EXPECT_EQ(pippenger<curve::G2Curve>(qspan, ks, 2, 0, true),
            pippenger<curve::G2Curve>(qspan, ks, 2, 0, false));
}

TEST(Msm, RejectsMismatchedSizes) {
  std::vector<G1Affine> ps(3);
  std::vector<Fr> ks(2);
  EXPECT_THROW(msm_g1(ps, ks), InvalidInput);
  std::vector<Fr> ks3(3);
  EXPECT_THROW(pippenger<curve::G1Curve>(std::span<const G1Affine>(ps), ks3, 1, 16), InvalidInput);
}

}  // namespace
}  // namespace codex::prover::msm
