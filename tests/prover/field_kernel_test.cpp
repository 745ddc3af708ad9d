// The CIOS and ADX kernels against the GMP reference kernel: millions of random
// products and the edge values 0, 1, 2, p−1, p−2 and values just below p.
#include <gtest/gtest.h>

#include <iostream>
#include <random>
#include <vector>

#include "prover/field/bn254.h"

namespace codex::prover {
namespace {

template <class F>
class KernelTest : public ::testing::Test {};
using Fields = ::testing::Types<Fr, Fq>;
TYPED_TEST_SUITE(KernelTest, Fields);

template <class F>
std::vector<F> edge_values() {
  std::vector<F> v;
  auto m = F::kModulus;
  // Montgomery representations 0, 1, 2 and p−1 .. p−8 (the largest words the
  // kernels see), and the elements 0, 1, 2, −1, −2.
  for (uint64_t k = 0; k < 3; ++k)
    v.push_back(F::from_montgomery_unchecked({k, 0, 0, 0}));
  for (uint64_t k = 1; k <= 8; ++k) {
    auto x = m;
    x[0] -= k;
    v.push_back(F::from_montgomery_unchecked(x));
  }
  for (uint64_t k = 0; k < 3; ++k) {
    v.push_back(F::from_u64(k));
    v.push_back(-F::from_u64(k));
  }
  // Limb patterns: all-ones lower limbs below p.
  v.push_back(F::from_montgomery_unchecked({~0ull, ~0ull, ~0ull, m[3] - 1}));
  v.push_back(F::from_montgomery_unchecked({~0ull, 0, ~0ull, 0}));
  v.push_back(F::from_montgomery_unchecked({0, 0, 0, m[3] - 1}));
  return v;
}

TEST(KernelSelection, DefaultKernelIsReported) {
  // Documents which kernel this build uses for operator*.
  std::cout << "BN254 Fr kernel: " << field::kernel_name(Fr::kKernel)
            << ", Fq kernel: " << field::kernel_name(Fq::kKernel) << "\n";
  EXPECT_EQ(Fr::kKernel, Fq::kKernel);
}

TYPED_TEST(KernelTest, EdgeValuesAgree) {
  using F = TypeParam;
  auto v = edge_values<F>();
  for (const F& a : v) {
    for (const F& b : v) {
      ASSERT_EQ(F::mul_cios(a, b), F::mul_gmp(a, b)) << a << " * " << b;
      ASSERT_EQ(F::mul_adx(a, b), F::mul_gmp(a, b)) << a << " * " << b;
      ASSERT_EQ(a * b, F::mul_gmp(a, b));
    }
    ASSERT_EQ(F::sqr_gmp(a), F::mul_gmp(a, a));
  }
}

TYPED_TEST(KernelTest, MillionsOfRandomProductsAgree) {
  using F = TypeParam;
  std::mt19937_64 rng(20251121);
  constexpr int kCount = 2'000'000;
  F acc_cios = F::one(), acc_gmp = F::one(), acc_adx = F::one();
  for (int i = 0; i < kCount; ++i) {
    F a = F::random(rng), b = F::random(rng);
    F c = F::mul_cios(a, b);
    F g = F::mul_gmp(a, b);
    ASSERT_EQ(c, g) << a << " * " << b;
    ASSERT_EQ(F::mul_adx(a, b), g) << a << " * " << b;
    if (i % 16 == 0) {
      ASSERT_EQ(F::sqr_gmp(a), F::mul_cios(a, a));
    }
    // Chained products exercise outputs of one kernel as inputs of the next.
    acc_cios = F::mul_cios(acc_cios, c);
    acc_gmp = F::mul_gmp(acc_gmp, g);
    acc_adx = F::mul_adx(acc_adx, c);
  }
  EXPECT_EQ(acc_cios, acc_gmp);
  EXPECT_EQ(acc_adx, acc_gmp);
}

}  // namespace
}  // namespace codex::prover
