// The CIOS, ADX and MULX kernels against the GMP reference kernel: millions of
// random products and the edge values 0, 1, 2, p−1, p−2 and values just below
// p; the lazy MULX entry points (operands and results in [0, 2p)) likewise.
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
      ASSERT_EQ(F::mul_mulx(a, b), F::mul_gmp(a, b)) << a << " * " << b;
      ASSERT_EQ(a * b, F::mul_gmp(a, b));
    }
    ASSERT_EQ(F::sqr_gmp(a), F::mul_gmp(a, a));
    ASSERT_EQ(F::sqr_mulx(a), F::mul_gmp(a, a)) << a;
    ASSERT_EQ(a.square(), F::mul_gmp(a, a)) << a;
  }
}

#if CODEX_FIELD_HAVE_MULX
// Lazy products take operands in [0, 2p): x or x + p for a canonical x.
template <class F>
typename F::Repr lift(const F& x, bool plus_p) {
  typename F::Repr r = x.montgomery();
  if (plus_p) field::limbs_add(r, r, F::kModulus);
  return r;
}

// REQUIRES r < 2p (checked); returns r mod p as an element.
template <class F>
F settle(typename F::Repr r) {
  typename F::Repr two_p;
  field::limbs_add(two_p, F::kModulus, F::kModulus);
  EXPECT_TRUE(field::limbs_less(r, two_p));
  if (!field::limbs_less(r, F::kModulus)) field::limbs_sub(r, r, F::kModulus);
  return F::from_montgomery_unchecked(r);
}

template <class F>
void check_lazy(const F& a, const F& b, bool pa, bool pb) {
  typename F::Repr r;
  const F want = F::mul_gmp(a, b);
  field::mont_mul_mulx_lazy(r, lift(a, pa), lift(b, pb), F::kModulus, F::kNegInv);
  ASSERT_EQ(settle<F>(r), want) << a << " * " << b << " lifted " << pa << pb;
  field::mont_mul_mulx(r, lift(a, pa), lift(b, pb), F::kModulus, F::kNegInv);
  ASSERT_EQ(F::from_montgomery_unchecked(r), want) << a << " * " << b << " lifted " << pa << pb;
  field::mont_sqr_mulx_lazy(r, lift(a, pa), F::kModulus, F::kNegInv);
  ASSERT_EQ(settle<F>(r), F::mul_gmp(a, a)) << a << " squared, lifted " << pa;
  field::mont_sqr_mulx(r, lift(a, pa), F::kModulus, F::kNegInv);
  ASSERT_EQ(F::from_montgomery_unchecked(r), F::mul_gmp(a, a)) << a << " squared, lifted " << pa;
}

TYPED_TEST(KernelTest, LazyMulxEdgeValuesAgree) {
  using F = TypeParam;
  static_assert(F::kMulxOk);
  auto v = edge_values<F>();
  for (const F& a : v)
    for (const F& b : v)
      for (int lifts = 0; lifts < 4; ++lifts)
        check_lazy(a, b, lifts & 1, lifts & 2);
}

TYPED_TEST(KernelTest, LazyMulxRandomAgree) {
  using F = TypeParam;
  std::mt19937_64 rng(977);
  for (int i = 0; i < 500'000; ++i)
    check_lazy(F::random(rng), F::random(rng), i & 1, i & 2);
}
#endif

TYPED_TEST(KernelTest, MillionsOfRandomProductsAgree) {
  using F = TypeParam;
  std::mt19937_64 rng(20251121);
  constexpr int kCount = 2'000'000;
  F acc_cios = F::one(), acc_gmp = F::one(), acc_adx = F::one(), acc_mulx = F::one();
  for (int i = 0; i < kCount; ++i) {
    F a = F::random(rng), b = F::random(rng);
    F c = F::mul_cios(a, b);
    F g = F::mul_gmp(a, b);
    ASSERT_EQ(c, g) << a << " * " << b;
    ASSERT_EQ(F::mul_adx(a, b), g) << a << " * " << b;
    ASSERT_EQ(F::mul_mulx(a, b), g) << a << " * " << b;
    if (i % 4 == 0) {
      ASSERT_EQ(F::sqr_gmp(a), F::mul_cios(a, a));
      ASSERT_EQ(F::sqr_mulx(a), F::mul_cios(a, a)) << a;
    }
    // Chained products exercise outputs of one kernel as inputs of the next.
    acc_cios = F::mul_cios(acc_cios, c);
    acc_gmp = F::mul_gmp(acc_gmp, g);
    acc_adx = F::mul_adx(acc_adx, c);
    acc_mulx = F::mul_mulx(acc_mulx, c);
  }
  EXPECT_EQ(acc_cios, acc_gmp);
  EXPECT_EQ(acc_adx, acc_gmp);
  EXPECT_EQ(acc_mulx, acc_gmp);
}

}  // namespace
}  // namespace codex::prover
