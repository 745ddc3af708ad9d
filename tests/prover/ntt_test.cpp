// NTT over Fr: the 2-adic root of unity, forward against a naive DFT,
// inverse round trips, cosets, and multithreaded = single-threaded.
#include <gtest/gtest.h>

#include <random>

#include "prover/error.h"
#include "prover/ntt/ntt.h"

namespace codex::prover::ntt {
namespace {

std::vector<Fr> random_vector(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<Fr> v(n);
  for (auto& x : v)
    x = Fr::random(rng);
  return v;
}

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
    auto a = random_vector(d.size(), log_n);
    auto expected = naive_eval(a, d.omega(), Fr::one());
    forward(d, a);
    EXPECT_EQ(a, expected) << "log_n " << log_n;
  }
}

TEST(Ntt, CosetMatchesNaiveAndRoundTrips) {
  Domain d(5);
  const Fr g = coset_generator();
  auto a = random_vector(d.size(), 9);
  auto orig = a;
  coset_forward(d, a, g);
  EXPECT_EQ(a, naive_eval(orig, d.omega(), g));
  coset_inverse(d, a, g);
  EXPECT_EQ(a, orig);
}

TEST(Ntt, MultithreadedMatchesSingleThreadAndInverts) {
  Domain d(14);
  auto a = random_vector(d.size(), 3);
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

TEST(Ntt, RejectsWrongSize) {
  Domain d(3);
  std::vector<Fr> a(7);
  EXPECT_THROW(forward(d, a), InvalidInput);
  EXPECT_THROW(coset_inverse(d, a, coset_generator()), InvalidInput);
}

}  // namespace
}  // namespace codex::prover::ntt
