// The CIOS, ADX and MULX kernels against the GMP reference kernel: millions of
// random products and the edge values 0, 1, 2, p−1, p−2 and values just below
// p; the lazy MULX entry points (operands and results in [0, 2p)) likewise.
#include <gtest/gtest.h>

#include <iostream>
#include <random>
#include <vector>

#include "prover/field/bn254.h"
#include "prover/field/kernel_wide.h"

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

// --- kernel_wide.h: 512-bit products, wide sums and one shared reduction ----

// t mod p by repeated subtraction (t < 8p here) for a raw 4-limb value.
template <class F>
typename F::Repr reduce_small(typename F::Repr t) {
  while (!field::limbs_less(t, F::kModulus))
    field::limbs_sub(t, t, F::kModulus);
  return t;
}

// The reduction's reference: t·2^-256 = hi + lo·2^-256 (mod p), from the GMP
// kernel (lo·1·2^-256) and a modular addition.
template <class F>
F reference_reduce(const field::Limbs<8>& t) {
  typename F::Repr lo = {t[0], t[1], t[2], t[3]}, hi = {t[4], t[5], t[6], t[7]};
  typename F::Repr one = {1, 0, 0, 0};
  F l = F::mul_gmp(F::from_montgomery_unchecked(reduce_small<F>(lo)),
                   F::from_montgomery_unchecked(one));
  return l + F::from_montgomery_unchecked(reduce_small<F>(hi));
}

// a·b for raw values (any 256-bit words) by the portable 512-bit product and
// reduction (the fallback's parts): the Montgomery product of the fields'
// kernels when a, b < 2p.
template <class F>
void check_wide(const typename F::Repr& a, const typename F::Repr& b) {
  field::Limbs<8> w;
  field::mul_wide_portable(w, a, b);
  field::Limbs<8> bound = {
      0, 0, 0, 0, F::kModulus[0], F::kModulus[1], F::kModulus[2], F::kModulus[3]};
  if (!field::limbs_less(w, bound)) return;
  typename F::Repr r;
  field::mont_reduce_wide_portable(r, w, F::kModulus, F::kNegInv);
  ASSERT_TRUE(field::limbs_less(r, F::kModulus));
  const F want = F::mul_gmp(F::from_montgomery_unchecked(reduce_small<F>(a)),
                            F::from_montgomery_unchecked(reduce_small<F>(b)));
  ASSERT_EQ(F::from_montgomery_unchecked(r), want);
}

// Raw operands: edge elements, the same plus p (so up to 2p − 1), all-ones.
template <class F>
std::vector<typename F::Repr> wide_edge_operands() {
  std::vector<typename F::Repr> v;
  for (const F& x : edge_values<F>()) {
    v.push_back(x.montgomery());
    typename F::Repr y = x.montgomery();
    field::limbs_add(y, y, F::kModulus);
    v.push_back(y);
  }
  v.push_back({~0ull, ~0ull, ~0ull, ~0ull});
  return v;
}

TYPED_TEST(KernelTest, WideEdgeValuesAgree) {
  using F = TypeParam;
  auto v = wide_edge_operands<F>();
  for (const auto& a : v)
    for (const auto& b : v)
      check_wide<F>(a, b);
}

TYPED_TEST(KernelTest, WideRandomAgree) {
  using F = TypeParam;
  std::mt19937_64 rng(4242);
  for (int i = 0; i < 1'000'000; ++i) {
    F a = F::random(rng), b = F::random(rng);
    typename F::Repr ra = a.montgomery(), rb = b.montgomery();
    if (i & 1) field::limbs_add(ra, ra, F::kModulus);  // lazy operands < 2p
    if (i & 2) field::limbs_add(rb, rb, F::kModulus);
    check_wide<F>(ra, rb);
  }
}

// Reductions of arbitrary 512-bit values below p·2^256 (not only products),
// including the largest one, against the GMP reference.
TYPED_TEST(KernelTest, WideReductionAgreesOnRandomAndBoundaryValues) {
  using F = TypeParam;
  const auto& m = F::kModulus;
  std::vector<field::Limbs<8>> ts = {
      {0, 0, 0, 0, 0, 0, 0, 0},
      {1, 0, 0, 0, 0, 0, 0, 0},
      {~0ull, ~0ull, ~0ull, ~0ull, m[0] - 1, m[1], m[2], m[3]},  // p·2^256 − 1
      {0, 0, 0, 0, m[0] - 1, m[1], m[2], m[3]},
      {~0ull, ~0ull, ~0ull, ~0ull, 0, 0, 0, 0},
      {m[0], m[1], m[2], m[3], 0, 0, 0, 0},
  };
  std::mt19937_64 rng(99);
  for (int i = 0; i < 1'000'000; ++i) {
    field::Limbs<8> t;
    for (auto& w : t)
      w = rng();
    t[7] %= m[3];  // below p·2^256
    ts.push_back(t);
    if (ts.size() >= 1024 || i + 1 == 1'000'000) {
      for (const auto& x : ts) {
        typename F::Repr r;
        field::mont_reduce_wide_portable(r, x, m, F::kNegInv);
        ASSERT_EQ(F::from_montgomery_unchecked(r), reference_reduce<F>(x));
      }
      ts.clear();
    }
  }
}

// (a·b + c·d)·2^-256 with one reduction: assembly = portable = the sum of the
// two Montgomery products, for a, c ≤ p (p itself included) and b, d < 2p.
template <class F>
void check_sum2(const typename F::Repr& a, const typename F::Repr& b, const typename F::Repr& c,
                const typename F::Repr& d) {
  typename F::Repr r, rp;
  field::mont_mul_sum2(r, a, b, c, d, F::kModulus, F::kNegInv);
  field::mont_mul_sum2_portable(rp, a, b, c, d, F::kModulus, F::kNegInv);
  ASSERT_EQ(r, rp);
  ASSERT_TRUE(field::limbs_less(r, F::kModulus));
  auto el = [](const typename F::Repr& x) {
    return F::from_montgomery_unchecked(reduce_small<F>(x));
  };
  ASSERT_EQ(F::from_montgomery_unchecked(r), F::mul_gmp(el(a), el(b)) + F::mul_gmp(el(c), el(d)));
}

TYPED_TEST(KernelTest, SumOfTwoProductsEdgeValuesAgree) {
  using F = TypeParam;
  std::vector<typename F::Repr> small, lazy;  // ≤ p and < 2p
  for (const F& x : edge_values<F>())
    small.push_back(x.montgomery());
  small.push_back(F::kModulus);
  for (const auto& x : wide_edge_operands<F>())
    if (field::limbs_less(x, [] {
          typename F::Repr two_p;
          field::limbs_add(two_p, F::kModulus, F::kModulus);
          return two_p;
        }()))
      lazy.push_back(x);
  for (const auto& a : small)
    for (const auto& b : lazy)
      for (const auto& c : small)
        check_sum2<F>(a, b, c, lazy[(a[0] ^ c[1]) % lazy.size()]);
}

TYPED_TEST(KernelTest, SumOfTwoProductsRandomAgree) {
  using F = TypeParam;
  std::mt19937_64 rng(31337);
  for (int i = 0; i < 1'000'000; ++i) {
    typename F::Repr a = F::random(rng).montgomery(), b = F::random(rng).montgomery();
    typename F::Repr c = F::random(rng).montgomery(), d = F::random(rng).montgomery();
    if (i & 1) field::limbs_add(b, b, F::kModulus);
    if (i & 2) field::limbs_add(d, d, F::kModulus);
    check_sum2<F>(a, b, c, d);
  }
}

}  // namespace
}  // namespace codex::prover
