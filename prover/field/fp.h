// Prime fields of up to 256 bits: elements as 4×64-bit limbs in Montgomery
// form (x·2^256 mod p), parameterised by a modulus.
//
//   struct MyParams { static constexpr Limbs<4> kModulus = {...}; static constexpr const char*
//   kName = "..."; }; using F = Fp<MyParams>;
//
// Requirements on the modulus: odd, prime (inverse, sqrt and pow rely on it),
// 2 < p < 2^256. All Montgomery constants are derived at compile time.
//
// Multiplication runs on one of four kernels with identical results:
//   - Kernel::kGmp:  GMP mpn_mul_n / mpn_sqr + REDC by mpn_addmul_1 (reference);
//   - Kernel::kCios: inlined CIOS with unsigned __int128 (portable);
//   - Kernel::kAdx:  mulx/adcx/adox assembly, operands in memory (x86-64 with
//     BMI2+ADX);
//   - Kernel::kMulx: mulx/adcx/adox assembly with register operands and fewer
//     instructions per reduction step (kernel_mulx.h; default where available,
//     the fastest: see bench/prover_field_bench.cpp).
// Define CODEX_PROVER_FIELD_GMP_KERNEL to build everything on the GMP kernel.
// mul_gmp / mul_cios / mul_adx / mul_mulx reach each kernel explicitly (tests,
// benchmarks).
//
// Values are plain data: copyable, no heap, thread-compatible. Every function
// that takes outside input (strings, bytes, integers) rejects non-canonical
// values (≥ p) and malformed text by throwing InvalidInput.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "prover/error.h"
#include "prover/field/bigint.h"
#include "prover/field/kernel_adx.h"
#include "prover/field/kernel_cios.h"
#include "prover/field/kernel_gmp.h"
#include "prover/field/kernel_mulx.h"
#include "prover/field/limbs.h"

namespace codex::prover::field {

enum class Kernel { kGmp, kCios, kAdx, kMulx };

#ifdef CODEX_PROVER_FIELD_GMP_KERNEL
inline constexpr Kernel kDefaultKernel = Kernel::kGmp;
#else
inline constexpr Kernel kDefaultKernel = kHaveMulxKernel  ? Kernel::kMulx
                                         : kHaveAdxKernel ? Kernel::kAdx
                                                          : Kernel::kCios;
#endif

constexpr const char* kernel_name(Kernel k) {
  return k == Kernel::kGmp    ? "gmp"
         : k == Kernel::kCios ? "cios"
         : k == Kernel::kAdx  ? "adx"
                              : "mulx";
}

template <class P>
class Fp {
 public:
  static constexpr size_t kLimbs = 4;
  static constexpr size_t kBytes = 32;
  using Repr = Limbs<kLimbs>;
  using Bytes = std::array<uint8_t, kBytes>;

  static constexpr Repr kModulus = P::kModulus;
  static_assert((kModulus[0] & 1) == 1, "modulus must be odd");
  static constexpr size_t kBits = limbs_bit_length(kModulus);
  static constexpr uint64_t kNegInv = neg_inv64(kModulus[0]);
  static constexpr Repr kR = limbs_pow2_mod(256, kModulus);   // Montgomery 1
  static constexpr Repr kR2 = limbs_pow2_mod(512, kModulus);  // to Montgomery
  static constexpr Repr kR3 = limbs_pow2_mod(768, kModulus);  // for inversion
  static constexpr bool kNoCarry = cios_no_carry_ok(kModulus);
  // Whether this modulus meets kernel_mulx.h's bounds (4p < 2^256).
  static constexpr bool kMulxOk = kNoCarry && mulx_kernel_ok(kModulus);
  // The kernel behind operator* and square() for this modulus.
  static constexpr Kernel kKernel =
      (kDefaultKernel == Kernel::kMulx && !kMulxOk)
          ? (kNoCarry && kHaveAdxKernel ? Kernel::kAdx : Kernel::kCios)
      : (kDefaultKernel == Kernel::kAdx && !kNoCarry) ? Kernel::kCios
                                                      : kDefaultKernel;

  // Zero.
  constexpr Fp() : v_{} {}

  static constexpr Fp zero() { return Fp(); }
  static constexpr Fp one() { return from_montgomery_unchecked(kR); }
  static Fp from_u64(uint64_t x) {
    Repr a{};
    a[0] = x;
    if constexpr (kModulus[1] == 0 && kModulus[2] == 0 && kModulus[3] == 0) a[0] %= kModulus[0];
    return from_canonical_unchecked(a);
  }

  // --- Conversions from and to canonical integers ---------------------------

  // The element with canonical value a. Throws InvalidInput if a ≥ p.
  static Fp from_int(const Repr& a) {
    if (!limbs_less(a, kModulus)) throw InvalidInput(not_canonical_message(a));
    return from_canonical_unchecked(a);
  }
  // REQUIRES: a < p.
  static Fp from_canonical_unchecked(const Repr& a) {
    Fp r;
    mont_mul(r.v_, a, kR2);
    return r;
  }
  // The canonical integer (0 ≤ value < p).
  Repr to_int() const {
    Repr one{};
    one[0] = 1;
    Repr r;
    mont_mul(r, v_, one);
    return r;
  }

  // The element whose Montgomery representation is m. Throws if m ≥ p.
  static Fp from_montgomery(const Repr& m) {
    if (!limbs_less(m, kModulus)) throw InvalidInput(not_canonical_message(m));
    return from_montgomery_unchecked(m);
  }
  // REQUIRES: m < p.
  static constexpr Fp from_montgomery_unchecked(const Repr& m) {
    Fp r;
    r.v_ = m;
    return r;
  }
  const Repr& montgomery() const { return v_; }

  // --- Strings --------------------------------------------------------------

  // Decimal digits only. Throws InvalidInput if malformed or ≥ p.
  static Fp from_decimal(std::string_view s) { return from_string_base(s, 10); }
  // Optional 0x prefix, hex digits. Throws InvalidInput if malformed or ≥ p.
  static Fp from_hex(std::string_view s) { return from_string_base(s, 16); }
  // Hex if it starts with 0x/0X, decimal otherwise.
  static Fp from_string(std::string_view s) {
    bool hex = s.size() >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
    return from_string_base(s, hex ? 16 : 10);
  }
  std::string to_decimal() const {
    Repr a = to_int();
    return format_integer(a.data(), kLimbs, 10);
  }
  // Lower-case, "0x" prefix, no leading zeros.
  std::string to_hex() const {
    Repr a = to_int();
    return format_integer(a.data(), kLimbs, 16);
  }

  // --- Bytes (canonical value, 32 bytes) -------------------------------------

  // Throws InvalidInput if bytes.size() != 32 or the value is ≥ p.
  static Fp from_bytes_le(std::span<const uint8_t> bytes) {
    check_length(bytes);
    Repr a{};
    for (size_t i = 0; i < kBytes; ++i)
      a[i / 8] |= uint64_t(bytes[i]) << (8 * (i % 8));
    return from_int(a);
  }
  static Fp from_bytes_be(std::span<const uint8_t> bytes) {
    check_length(bytes);
    Repr a{};
    for (size_t i = 0; i < kBytes; ++i)
      a[i / 8] |= uint64_t(bytes[kBytes - 1 - i]) << (8 * (i % 8));
    return from_int(a);
  }
  // Any number of bytes, read little-endian and reduced mod p (never throws).
  static Fp from_bytes_le_reduce(std::span<const uint8_t> bytes) {
    Repr a{};
    reduce_bytes_le(a.data(), bytes, kModulus.data(), kLimbs);
    return from_canonical_unchecked(a);
  }
  Bytes to_bytes_le() const {
    Repr a = to_int();
    Bytes out{};
    for (size_t i = 0; i < kBytes; ++i)
      out[i] = uint8_t(a[i / 8] >> (8 * (i % 8)));
    return out;
  }
  Bytes to_bytes_be() const {
    Bytes le = to_bytes_le();
    std::reverse(le.begin(), le.end());
    return le;
  }

  // --- Arithmetic -------------------------------------------------------------

  bool is_zero() const { return limbs_is_zero(v_); }
  bool is_one() const { return v_ == kR; }
  friend bool operator==(const Fp& a, const Fp& b) { return a.v_ == b.v_; }

  [[gnu::always_inline]] friend Fp operator+(const Fp& a, const Fp& b) {
    Fp r;
#if defined(__x86_64__)
    if constexpr (kNoCarry && kKernel != Kernel::kGmp) {
      add_mod_asm(r.v_, a.v_, b.v_, kModulus);
      return r;
    }
#endif
    limbs_add_mod(r.v_, a.v_, b.v_, kModulus);
    return r;
  }
  [[gnu::always_inline]] friend Fp operator-(const Fp& a, const Fp& b) {
    Fp r;
#if defined(__x86_64__)
    if constexpr (kKernel != Kernel::kGmp) {
      sub_mod_asm(r.v_, a.v_, b.v_, kModulus);
      return r;
    }
#endif
    limbs_sub_mod(r.v_, a.v_, b.v_, kModulus);
    return r;
  }
  friend Fp operator-(const Fp& a) {
    return Fp() - a;
  }
  [[gnu::always_inline]] friend Fp operator*(const Fp& a, const Fp& b) {
    Fp r;
    mont_mul(r.v_, a.v_, b.v_);
    return r;
  }
  Fp& operator+=(const Fp& b) {
    return *this = *this + b;
  }
  Fp& operator-=(const Fp& b) {
    return *this = *this - b;
  }
  Fp& operator*=(const Fp& b) {
    return *this = *this * b;
  }

  [[gnu::always_inline]] Fp dbl() const {
    return *this + *this;
  }
  [[gnu::always_inline]] Fp square() const {
    Fp r;
    if constexpr (kKernel == Kernel::kGmp) {
      mont_sqr_gmp(r.v_.data(), v_.data(), kModulus.data(), kNegInv, kLimbs);
    } else if constexpr (kKernel == Kernel::kMulx) {
#if CODEX_FIELD_HAVE_MULX
      mont_sqr_mulx(r.v_, v_, kModulus, kNegInv);
#endif
    } else {
      mont_mul(r.v_, v_, v_);
    }
    return r;
  }

  // Explicit kernels (same results as operator*).
  static Fp mul_gmp(const Fp& a, const Fp& b) {
    Fp r;
    mont_mul_gmp(r.v_.data(), a.v_.data(), b.v_.data(), kModulus.data(), kNegInv, kLimbs);
    return r;
  }
  static Fp sqr_gmp(const Fp& a) {
    Fp r;
    mont_sqr_gmp(r.v_.data(), a.v_.data(), kModulus.data(), kNegInv, kLimbs);
    return r;
  }
  [[gnu::always_inline]] static Fp mul_cios(const Fp& a, const Fp& b) {
    Fp r;
    mont_mul_cios<kLimbs, kNoCarry>(r.v_, a.v_, b.v_, kModulus, kNegInv);
    return r;
  }
  // The assembly kernel where this build and modulus have it, CIOS otherwise.
  [[gnu::always_inline]] static Fp mul_adx(const Fp& a, const Fp& b) {
    Fp r;
#if defined(__x86_64__) && defined(__BMI2__) && defined(__ADX__)
    if constexpr (kNoCarry) {
      mont_mul_adx(r.v_, a.v_, b.v_, kModulus, kNegInv);
      return r;
    }
#endif
    mont_mul_cios<kLimbs, kNoCarry>(r.v_, a.v_, b.v_, kModulus, kNegInv);
    return r;
  }

  // The register kernel (kernel_mulx.h) where this build and modulus have it,
  // CIOS otherwise.
  [[gnu::always_inline]] static Fp mul_mulx(const Fp& a, const Fp& b) {
    Fp r;
#if CODEX_FIELD_HAVE_MULX
    if constexpr (kMulxOk) {
      mont_mul_mulx(r.v_, a.v_, b.v_, kModulus, kNegInv);
      return r;
    }
#endif
    mont_mul_cios<kLimbs, kNoCarry>(r.v_, a.v_, b.v_, kModulus, kNegInv);
    return r;
  }
  [[gnu::always_inline]] static Fp sqr_mulx(const Fp& a) {
    Fp r;
#if CODEX_FIELD_HAVE_MULX
    if constexpr (kMulxOk) {
      mont_sqr_mulx(r.v_, a.v_, kModulus, kNegInv);
      return r;
    }
#endif
    mont_mul_cios<kLimbs, kNoCarry>(r.v_, a.v_, a.v_, kModulus, kNegInv);
    return r;
  }

  // x^e for a canonical exponent e (any 256-bit integer). 0^0 = 1.
  Fp pow(const Repr& e) const {
    Fp r = one();
    for (size_t i = limbs_bit_length(e); i-- > 0;) {
      r = r.square();
      if (limbs_bit(e, i)) r *= *this;
    }
    return r;
  }
  Fp pow(uint64_t e) const {
    Repr x{};
    x[0] = e;
    return pow(x);
  }

  // 1/x. REQUIRES: x ≠ 0; returns 0 for 0 (so batch code can skip zeros).
  Fp inverse() const {
    if (is_zero()) return Fp();
    Repr inv;
    // x is stored as xR; (xR)^{-1}·R^3·R^{-1} = x^{-1}R.
    invert_mod(inv.data(), v_.data(), kModulus.data(), kLimbs);
    Fp r;
    mont_mul(r.v_, inv, kR3);
    return r;
  }

  // Replaces every non-zero element by its inverse with one inversion and
  // 3(n−1) multiplications (Montgomery's trick); zeros stay zero.
  static void batch_inverse(std::span<Fp> xs) {
    std::vector<Fp> prefix(xs.size());
    Fp acc = one();
    for (size_t i = 0; i < xs.size(); ++i) {
      prefix[i] = acc;
      if (!xs[i].is_zero()) acc *= xs[i];
    }
    Fp inv = acc.inverse();
    for (size_t i = xs.size(); i-- > 0;) {
      if (xs[i].is_zero()) continue;
      Fp x = xs[i];
      xs[i] = inv * prefix[i];
      inv *= x;
    }
  }

  // Legendre symbol: 0 for zero, 1 for a non-zero square, −1 otherwise.
  int legendre() const {
    if (is_zero()) return 0;
    return pow(kHalfPm1).is_one() ? 1 : -1;
  }

  // A square root (either one) if x is a square, nullopt otherwise.
  // p ≡ 3 (mod 4): x^((p+1)/4); otherwise Tonelli–Shanks.
  std::optional<Fp> sqrt() const {
    if (is_zero()) return Fp();
    if constexpr ((kModulus[0] & 3) == 3) {
      Fp r = pow(kP1Quarter);
      if (r.square() == *this) return r;
      return std::nullopt;
    } else {
      if (legendre() != 1) return std::nullopt;
      const Fp z = non_residue();
      size_t m = kTwoAdicity;
      Fp c = z.pow(kOddPart);
      Fp t = pow(kOddPart);
      Fp r = pow(kOddHalfCeil);
      while (!t.is_one()) {
        size_t i = 0;
        Fp t2 = t;
        while (!t2.is_one()) {
          t2 = t2.square();
          ++i;
        }
        Fp b = c;
        for (size_t j = 0; j + i + 1 < m; ++j)
          b = b.square();
        m = i;
        c = b.square();
        t *= c;
        r *= b;
      }
      return r;
    }
  }

  // A uniformly random element (rejection sampling on kBits-bit integers).
  template <class Urbg>
  static Fp random(Urbg& rng) {
    for (;;) {
      Repr a;
      for (auto& limb : a)
        limb = uint64_t(rng());
      if constexpr (kBits % 64 != 0) a[kLimbs - 1] &= (uint64_t(1) << (kBits % 64)) - 1;
      if (limbs_less(a, kModulus)) return from_montgomery_unchecked(a);
    }
  }

  friend std::ostream& operator<<(std::ostream& os, const Fp& x) {
    return os << x.to_decimal();
  }

 private:
  [[gnu::always_inline]] static void mont_mul(Repr& r, const Repr& a, const Repr& b) {
    if constexpr (kKernel == Kernel::kGmp) {
      mont_mul_gmp(r.data(), a.data(), b.data(), kModulus.data(), kNegInv, kLimbs);
    } else if constexpr (kKernel == Kernel::kMulx) {
#if CODEX_FIELD_HAVE_MULX
      mont_mul_mulx(r, a, b, kModulus, kNegInv);
#endif
    } else if constexpr (kKernel == Kernel::kAdx) {
#if defined(__x86_64__) && defined(__BMI2__) && defined(__ADX__)
      mont_mul_adx(r, a, b, kModulus, kNegInv);
#endif
    } else {
      mont_mul_cios<kLimbs, kNoCarry>(r, a, b, kModulus, kNegInv);
    }
  }

  static Fp from_string_base(std::string_view s, int base) {
    Repr a{};
    parse_integer(s, base, a.data(), kLimbs);
    return from_int(a);
  }

  static std::string not_canonical_message(const Repr& a) {
    return "value " + format_integer(a.data(), kLimbs, 10) + " is not a canonical " + P::kName +
           " element (must be below the modulus " + format_integer(kModulus.data(), kLimbs, 10) +
           ")";
  }

  static void check_length(std::span<const uint8_t> bytes) {
    if (bytes.size() != kBytes) {
      throw InvalidInput(std::string(P::kName) + " element must be 32 bytes, got " +
                         std::to_string(bytes.size()));
    }
  }

  static constexpr Repr minus_one(Repr a) {
    Repr one{};
    one[0] = 1;
    limbs_sub(a, a, one);
    return a;
  }
  static constexpr Repr kPm1 = minus_one(kModulus);
  static constexpr Repr kHalfPm1 = limbs_shr1(kPm1);
  static constexpr Repr plus_one_quarter() {
    Repr one{};
    one[0] = 1;
    Repr a{};
    limbs_add(a, kModulus, one);  // no carry: p < 2^256 − 1
    return limbs_shr1(limbs_shr1(a));
  }
  static constexpr Repr kP1Quarter = plus_one_quarter();
  static constexpr size_t two_adicity() {
    size_t s = 0;
    while (!limbs_bit(kPm1, s))
      ++s;
    return s;
  }
  static constexpr size_t kTwoAdicity = two_adicity();
  static constexpr Repr odd_part() {
    Repr q = kPm1;
    for (size_t i = 0; i < kTwoAdicity; ++i)
      q = limbs_shr1(q);
    return q;
  }
  static constexpr Repr kOddPart = odd_part();  // (p−1) = kOddPart·2^s
  static constexpr Repr odd_half_ceil() {
    Repr one{};
    one[0] = 1;
    Repr a{};
    limbs_add(a, kOddPart, one);
    return limbs_shr1(a);
  }
  static constexpr Repr kOddHalfCeil = odd_half_ceil();  // (q+1)/2

  static Fp non_residue() {
    static const Fp z = [] {
      for (uint64_t k = 2;; ++k) {
        Fp c = from_u64(k);
        if (c.legendre() == -1) return c;
      }
    }();
    return z;
  }

  Repr v_;
};

}  // namespace codex::prover::field
