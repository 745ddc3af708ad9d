// NTT over Fr: the 2-adic root of unity, forward against a naive DFT,
// inverse round trips, cosets, and multithreaded = single-threaded.
#include <gtest/gtest.h>

#include <random>

#include "prover/error.h"
#include "prover/ntt/blocked.h"
#include "prover/ntt/ntt.h"
#include "support/random.h"

namespace codex::prover::ntt {
namespace {

// Σ_j a_j (g·ω^i)^j.
std::vector<Fr> naive_eval(const std::vector<Fr>& a, const Fr& omega, const Fr& g) {
  std::vector<Fr> out(a.size());
  Fr x = g;
  for (size_t i = 0; i < a.size(); ++i) {
    Fr acc, p = Fr::one();
    for (const Fr& c : a) {
      acc += c * p;
      p *= x;
    }
    out[i] = acc;
    x *= omega;
  }
  return out;
}

size_t reverse_bits(size_t x, size_t bits) {
  size_t r = 0;
  for (size_t i = 0; i < bits; ++i, x >>= 1)
    r = (r << 1) | (x & 1);
  return r;
}

std::vector<Fr> bit_reversed(const std::vector<Fr>& a, size_t log_n) {
  std::vector<Fr> out(a.size());
  for (size_t i = 0; i < a.size(); ++i)
    out[reverse_bits(i, log_n)] = a[i];
  return out;
}

// The algorithm the library used before the cache-blocked passes: bit
// reversal, then one radix-2 Cooley–Tukey stage after another, twiddles by
// repeated multiplication (single thread; a reference for large sizes).
std::vector<Fr> old_transform(std::vector<Fr> a, size_t log_n, bool inverse) {
  a = bit_reversed(a, log_n);
  for (size_t s = 1; s <= log_n; ++s) {
    const size_t half = size_t(1) << (s - 1);
    Fr w = root_of_unity(s);
    if (inverse) w = w.inverse();
    for (size_t blk = 0; blk < a.size(); blk += 2 * half) {
      Fr tw = Fr::one();
      for (size_t j = 0; j < half; ++j, tw *= w) {
        Fr t = a[blk + j + half] * tw;
        a[blk + j + half] = a[blk + j] - t;
        a[blk + j] = a[blk + j] + t;
      }
    }
  }
  if (inverse) {
    const Fr ninv = Fr::from_u64(a.size()).inverse();
    for (Fr& x : a)
      x *= ninv;
  }
  return a;
}

// Values on the domain → values on shift·ω^i, the old way.
std::vector<Fr> old_to_coset(const std::vector<Fr>& values, size_t log_n, const Fr& shift) {
  std::vector<Fr> coef = old_transform(values, log_n, true);
  Fr p = Fr::one();
  for (Fr& c : coef) {
    c *= p;
    p *= shift;
  }
  return old_transform(coef, log_n, false);
}

TEST(Ntt, RootOfUnity) {
  // The well-known 2^28-th root of unity of BN254 Fr (5^((r−1)/2^28)).
  EXPECT_EQ(root_of_unity(28).to_decimal(),
            "19103219067921713944291392827692070036145651957329286315305642004821462161904");
  for (size_t k : {1u, 5u, 16u, 28u}) {
    Fr w = root_of_unity(k);
    Fr p = w;
    for (size_t i = 1; i < k; ++i)
      p = p.square();
    EXPECT_EQ(p, -Fr::one()) << k;  // ω^(n/2) = −1: primitive
  }
  EXPECT_THROW(root_of_unity(29), InvalidInput);
  EXPECT_THROW(Domain(29), InvalidInput);
}

TEST(Ntt, ForwardMatchesNaiveDft) {
  for (size_t log_n : {0u, 1u, 2u, 3u, 6u}) {
    Domain d(log_n);
    auto a = test_support::random_frs(d.size(), log_n);
    auto expected = naive_eval(a, d.omega(), Fr::one());
    forward(d, a);
    EXPECT_EQ(a, expected) << "log_n " << log_n;
  }
}

TEST(Ntt, CosetMatchesNaiveAndRoundTrips) {
  Domain d(5);
  const Fr g = coset_generator();
  auto a = test_support::random_frs(d.size(), 9);
  auto orig = a;
  coset_forward(d, a, g);
  EXPECT_EQ(a, naive_eval(orig, d.omega(), g));
  coset_inverse(d, a, g);
  EXPECT_EQ(a, orig);
}

TEST(Ntt, MultithreadedMatchesSingleThreadAndInverts) {
  Domain d(14);
  auto a = test_support::random_frs(d.size(), 3);
  auto single = a, multi = a, three = a;
  forward(d, single, 1);
  forward(d, multi, 4);
  forward(d, three, 3);
  EXPECT_EQ(single, multi);
  EXPECT_EQ(single, three);
  inverse(d, multi, 4);
  EXPECT_EQ(multi, a);
  coset_forward(d, multi, coset_generator(), 2);
  coset_inverse(d, multi, coset_generator(), 8);
  EXPECT_EQ(multi, a);
}

TEST(Ntt, PolynomialProductViaNtt) {
  // (1 + 2X)(3 + X) = 3 + 7X + 2X².
  Domain d(2);
  std::vector<Fr> p = {Fr::from_u64(1), Fr::from_u64(2), Fr(), Fr()};
  std::vector<Fr> q = {Fr::from_u64(3), Fr::from_u64(1), Fr(), Fr()};
  forward(d, p);
  forward(d, q);
  for (size_t i = 0; i < 4; ++i)
    p[i] *= q[i];
  inverse(d, p);
  EXPECT_EQ(p, (std::vector<Fr>{Fr::from_u64(3), Fr::from_u64(7), Fr::from_u64(2), Fr()}));
}

TEST(Ntt, StageTwiddlesArePowersOfTheStageRoot) {
  Domain d(6);
  for (size_t half = 1; half <= d.size() / 2; half *= 2) {
    size_t log_block = 0;
    while ((size_t(1) << log_block) < 2 * half)
      ++log_block;
    const Fr w = root_of_unity(log_block), wi = w.inverse();
    auto fw = d.stage_twiddles(half), inv = d.inverse_stage_twiddles(half);
    ASSERT_EQ(fw.size(), half);
    ASSERT_EQ(inv.size(), half);
    Fr p = Fr::one(), pi = Fr::one();
    for (size_t j = 0; j < half; ++j) {
      EXPECT_EQ(fw[j], p) << half << " " << j;
      EXPECT_EQ(inv[j], pi) << half << " " << j;
      p *= w;
      pi *= wi;
    }
  }
}

// Every row length (down to one point: all stages pair rows) and thread count
// against the naive DFT: DIF gives bit-reversed output, DIT takes it.
TEST(NttBlocked, DifDitMatchNaiveForEveryShape) {
  for (size_t log_n : {0u, 1u, 2u, 5u, 8u}) {
    Domain d(log_n);
    auto a = test_support::random_frs(d.size(), 100 + log_n);
    const auto expected = naive_eval(a, d.omega(), Fr::one());
    const auto expected_inv = naive_eval(a, d.omega_inv(), Fr::one());
    for (size_t log_block = 1; log_block <= log_n + 1; ++log_block) {
      for (unsigned threads : {1u, 2u, 3u}) {
        blocked::Plan plan{log_block, threads};
        auto x = a;
        blocked::dif(x, d, false, plan);
        EXPECT_EQ(x, bit_reversed(expected, log_n)) << log_n << " " << log_block << " " << threads;
        x = bit_reversed(a, log_n);
        blocked::dit(x, d, false, plan);
        EXPECT_EQ(x, expected) << log_n << " " << log_block << " " << threads;
        x = bit_reversed(a, log_n);
        blocked::dit(x, d, true, plan);
        EXPECT_EQ(x, expected_inv) << log_n << " " << log_block << " " << threads;
      }
    }
  }
}

TEST(NttBlocked, EvaluationsToCosetMatchesNaive) {
  const Fr g = coset_generator();
  for (size_t log_n : {0u, 1u, 3u, 6u}) {
    Domain d(log_n);
    auto coef = test_support::random_frs(d.size(), 200 + log_n);
    auto values = naive_eval(coef, d.omega(), Fr::one());
    const auto expected = naive_eval(coef, d.omega(), g);
    for (size_t log_block = 1; log_block <= log_n + 1; ++log_block) {
      for (unsigned threads : {1u, 2u}) {
        auto x = values;
        blocked::evaluations_to_coset(x, d, g, blocked::Plan{log_block, threads});
        EXPECT_EQ(x, expected) << log_n << " " << log_block << " " << threads;
      }
    }
    auto x = values;
    evaluations_to_coset(d, x, g);
    EXPECT_EQ(x, expected) << log_n;
  }
}

// The sizes the prover uses take the row-pairing passes; compare with the old
// algorithm there (1 and 2 threads, default plans).
TEST(NttBlocked, LargeSizesMatchTheOldAlgorithm) {
  for (size_t log_n : {12u, 18u}) {
    Domain d(log_n);
    const Fr shift = root_of_unity(log_n + 1);
    const auto a = test_support::random_frs(d.size(), 300 + log_n);
    const auto fwd = old_transform(a, log_n, false);
    const auto coset = old_to_coset(a, log_n, shift);
    const auto coef = old_transform(a, log_n, true);
    for (unsigned threads : {1u, 2u}) {
      auto x = a;
      forward(d, x, threads);
      EXPECT_EQ(x, fwd) << log_n << " " << threads;
      inverse(d, x, threads);
      EXPECT_EQ(x, a) << log_n << " " << threads;
      evaluations_to_coset(d, x, shift, threads);
      EXPECT_EQ(x, coset) << log_n << " " << threads;
      coset_inverse(d, x, shift, threads);  // back to the coefficients
      EXPECT_EQ(x, coef) << log_n << " " << threads;
    }
  }
}

TEST(Ntt, RejectsWrongSize) {
  Domain d(3);
  std::vector<Fr> a(7);
  EXPECT_THROW(forward(d, a), InvalidInput);
  EXPECT_THROW(coset_inverse(d, a, coset_generator()), InvalidInput);
  EXPECT_THROW(evaluations_to_coset(d, a, coset_generator()), InvalidInput);
}

}  // namespace
}  // namespace codex::prover::ntt
