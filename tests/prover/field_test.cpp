// BN254 Fr / Fq against GMP's mpz integers: constants, arithmetic, inversion,
// powers, square roots, conversions and rejection of malformed input.
#include <gmp.h>
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "prover/field/bn254.h"

namespace codex::prover {
namespace {

// A small RAII mpz wrapper for the tests.
struct Z {
  mpz_t v;
  Z() { mpz_init(v); }
  explicit Z(const std::string& dec) { mpz_init_set_str(v, dec.c_str(), 10); }
  ~Z() { mpz_clear(v); }
  Z(const Z&) = delete;
  std::string str() const {
    char* s = mpz_get_str(nullptr, 10, v);
    std::string r(s);
    void (*freefunc)(void*, size_t);
    mp_get_memory_functions(nullptr, nullptr, &freefunc);
    freefunc(s, r.size() + 1);
    return r;
  }
};

template <class F>
std::string mod_str() {
  auto m = F::kModulus;
  return field::format_integer(m.data(), 4, 10);
}

template <class F>
class FieldTest : public ::testing::Test {};
using Fields = ::testing::Types<Fr, Fq>;
TYPED_TEST_SUITE(FieldTest, Fields);

TYPED_TEST(FieldTest, MontgomeryConstants) {
  using F = TypeParam;
  Z p(mod_str<F>()), r, r2;
  mpz_ui_pow_ui(r.v, 2, 256);
  mpz_mod(r.v, r.v, p.v);
  mpz_ui_pow_ui(r2.v, 2, 512);
  mpz_mod(r2.v, r2.v, p.v);
  EXPECT_EQ(field::format_integer(F::kR.data(), 4, 10), r.str());
  EXPECT_EQ(field::format_integer(F::kR2.data(), 4, 10), r2.str());
  EXPECT_EQ(F::kModulus[0] * -F::kNegInv, 1u);
  EXPECT_EQ(F::kBits, 254u);
  EXPECT_TRUE(F::kNoCarry);
}

TYPED_TEST(FieldTest, RandomArithmeticMatchesMpz) {
  using F = TypeParam;
  std::mt19937_64 rng(42);
  Z p(mod_str<F>());
  for (int i = 0; i < 2000; ++i) {
    F a = F::random(rng), b = F::random(rng);
    Z za(a.to_decimal()), zb(b.to_decimal()), t;
    mpz_mul(t.v, za.v, zb.v);
    mpz_mod(t.v, t.v, p.v);
    ASSERT_EQ((a * b).to_decimal(), t.str());
    ASSERT_EQ(a.square(), a * a);
    mpz_add(t.v, za.v, zb.v);
    mpz_mod(t.v, t.v, p.v);
    ASSERT_EQ((a + b).to_decimal(), t.str());
    mpz_sub(t.v, za.v, zb.v);
    mpz_mod(t.v, t.v, p.v);
    ASSERT_EQ((a - b).to_decimal(), t.str());
    mpz_neg(t.v, za.v);
    mpz_mod(t.v, t.v, p.v);
    ASSERT_EQ((-a).to_decimal(), t.str());
    ASSERT_EQ(a.dbl(), a + a);
    if (!a.is_zero()) {
      mpz_invert(t.v, za.v, p.v);
      ASSERT_EQ(a.inverse().to_decimal(), t.str());
      ASSERT_TRUE((a * a.inverse()).is_one());
    }
    // pow with a random 256-bit exponent.
    auto e = F::random(rng).to_int();
    Z ze(field::format_integer(e.data(), 4, 10));
    mpz_powm(t.v, za.v, ze.v, p.v);
    ASSERT_EQ(a.pow(e).to_decimal(), t.str());
  }
}

TYPED_TEST(FieldTest, EdgeValues) {
  using F = TypeParam;
  F zero, one = F::one(), m1 = -one;
  EXPECT_TRUE(zero.is_zero());
  EXPECT_TRUE((m1 + one).is_zero());
  EXPECT_TRUE((m1 * m1).is_one());
  EXPECT_EQ(zero - one, m1);
  EXPECT_EQ(m1.inverse(), m1);
  EXPECT_TRUE(zero.inverse().is_zero());
  EXPECT_TRUE(zero.pow(uint64_t{0}).is_one());
  EXPECT_EQ(m1.to_decimal(), [] {
    Z p(mod_str<F>());
    mpz_sub_ui(p.v, p.v, 1);
    return p.str();
  }());
  EXPECT_EQ(F::from_u64(7).to_decimal(), "7");
  EXPECT_EQ(F::from_u64(0).to_decimal(), "0");
  EXPECT_EQ(F::from_u64(255).to_hex(), "0xff");
  EXPECT_EQ(F::zero().to_hex(), "0x0");
}

TYPED_TEST(FieldTest, StringsAndBytesRoundTrip) {
  using F = TypeParam;
  std::mt19937_64 rng(7);
  for (int i = 0; i < 200; ++i) {
    F a = F::random(rng);
    EXPECT_EQ(F::from_decimal(a.to_decimal()), a);
    EXPECT_EQ(F::from_hex(a.to_hex()), a);
    EXPECT_EQ(F::from_string(a.to_hex()), a);
    EXPECT_EQ(F::from_string(a.to_decimal()), a);
    auto le = a.to_bytes_le();
    auto be = a.to_bytes_be();
    EXPECT_EQ(F::from_bytes_le(le), a);
    EXPECT_EQ(F::from_bytes_be(be), a);
    for (size_t k = 0; k < 32; ++k)
      EXPECT_EQ(le[k], be[31 - k]);
    EXPECT_EQ(F::from_montgomery(a.montgomery()), a);
    EXPECT_EQ(F::from_int(a.to_int()), a);
    EXPECT_EQ(F::from_bytes_le_reduce(le), a);
  }
  // Little-endian: byte 0 is the least significant.
  std::array<uint8_t, 32> b{};
  b[0] = 1;
  b[1] = 2;
  EXPECT_EQ(F::from_bytes_le(b).to_decimal(), "513");
  EXPECT_EQ(F::from_hex("0x0201").to_decimal(), "513");
  EXPECT_EQ(F::from_decimal("000513").to_decimal(), "513");
}

TYPED_TEST(FieldTest, RejectsMalformedAndNonCanonical) {
  using F = TypeParam;
  std::string p = mod_str<F>();
  Z zp(p), pm1(p), pp1(p);
  mpz_sub_ui(pm1.v, pm1.v, 1);
  mpz_add_ui(pp1.v, pp1.v, 1);
  EXPECT_NO_THROW(F::from_decimal(pm1.str()));
  EXPECT_THROW(F::from_decimal(p), InvalidInput);
  EXPECT_THROW(F::from_decimal(pp1.str()), InvalidInput);
  EXPECT_THROW(F::from_hex("0x" + std::string(64, 'f')), InvalidInput);
  EXPECT_THROW(F::from_hex("0x1" + std::string(64, '0')), InvalidInput);  // > 256 bits
  for (std::string bad : {"", "-1", "+1", " 1", "1 ", "1.0", "12a", "0x", "1e5", "0x12g"}) {
    EXPECT_THROW(F::from_string(bad), InvalidInput) << "'" << bad << "'";
  }
  try {
    F::from_decimal(p);
    FAIL();
  } catch (const InvalidInput& e) {
    EXPECT_NE(std::string(e.what()).find("not a canonical"), std::string::npos) << e.what();
  }
  std::array<uint8_t, 32> all_ff;
  all_ff.fill(0xff);
  EXPECT_THROW(F::from_bytes_le(all_ff), InvalidInput);
  std::vector<uint8_t> short_bytes(31), long_bytes(33);
  EXPECT_THROW(F::from_bytes_le(short_bytes), InvalidInput);
  EXPECT_THROW(F::from_bytes_be(long_bytes), InvalidInput);
  auto m = F::kModulus;
  EXPECT_THROW(F::from_int(m), InvalidInput);
  EXPECT_THROW(F::from_montgomery(m), InvalidInput);
  // Reduction of wide inputs is allowed where asked for.
  EXPECT_TRUE(F::from_bytes_le_reduce(F::zero().to_bytes_le()).is_zero());
  std::vector<uint8_t> wide(64, 0xff);
  Z w;
  mpz_ui_pow_ui(w.v, 2, 512);
  mpz_sub_ui(w.v, w.v, 1);
  mpz_mod(w.v, w.v, zp.v);
  EXPECT_EQ(F::from_bytes_le_reduce(wide).to_decimal(), w.str());
}

TYPED_TEST(FieldTest, BatchInverse) {
  using F = TypeParam;
  std::mt19937_64 rng(3);
  std::vector<F> xs(100);
  for (auto& x : xs)
    x = F::random(rng);
  xs[0] = F::zero();
  xs[50] = F::zero();
  auto expect = xs;
  for (auto& x : expect)
    x = x.inverse();
  F::batch_inverse(xs);
  EXPECT_EQ(xs, expect);
  std::vector<F> empty;
  F::batch_inverse(empty);
}

TYPED_TEST(FieldTest, SqrtAndLegendre) {
  using F = TypeParam;
  std::mt19937_64 rng(11);
  int squares = 0;
  for (int i = 0; i < 200; ++i) {
    F a = F::random(rng);
    F s = a.square();
    EXPECT_EQ(s.legendre(), a.is_zero() ? 0 : 1);
    auto r = s.sqrt();
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->square(), s);
    auto ra = a.sqrt();
    EXPECT_EQ(ra.has_value(), a.legendre() >= 0);
    if (ra) {
      EXPECT_EQ(ra->square(), a);
      ++squares;
    }
  }
  EXPECT_GT(squares, 50);
  EXPECT_LT(squares, 150);
  EXPECT_TRUE(F::zero().sqrt().has_value());
  EXPECT_EQ(F::one().sqrt()->square(), F::one());
}

}  // namespace
}  // namespace codex::prover
