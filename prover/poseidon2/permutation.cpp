#include "prover/poseidon2/permutation.h"

#include "prover/poseidon2/constants.h"

namespace codex::prover::poseidon2 {
namespace {

// The permutation works on Montgomery limbs. With the register kernel
// (kernel_mulx.h) S-box inputs and intermediate squares stay in [0, 2r)
// ("lazy": no final subtraction); every other value is canonical. Without it
// every value is canonical and the same code runs on Fr's operations.
using L = Fr::Repr;

#if CODEX_FIELD_HAVE_MULX
static_assert(Fr::kMulxOk, "BN254 Fr meets the lazy kernel's bounds");

// x + y without reduction: for canonical x, y the sum is below 2r.
[[gnu::always_inline]] inline L add_lazy(const L& x, const L& y) {
  L r;
  field::limbs_add(r, x, y);
  return r;
}
// (x + y) mod r for x + y < 2r.
[[gnu::always_inline]] inline L add(const L& x, const L& y) {
  L r;
  field::add_mod_asm(r, x, y, Fr::kModulus);
  return r;
}
// x² for x < 2r, result < 2r.
[[gnu::always_inline]] inline L sqr_lazy(const L& x) {
  L r;
  field::mont_sqr_mulx_lazy(r, x, Fr::kModulus, Fr::kNegInv);
  return r;
}
// x·y for x, y < 2r, canonical result. x is the fresher operand (registers).
[[gnu::always_inline]] inline L mul(const L& x, const L& y) {
  L r;
  field::mont_mul_mulx(r, x, y, Fr::kModulus, Fr::kNegInv);
  return r;
}
#else

inline Fr fr(const L& x) {
  return Fr::from_montgomery_unchecked(x);
}
inline L add_lazy(const L& x, const L& y) {
  return (fr(x) + fr(y)).montgomery();
}
inline L add(const L& x, const L& y) {
  return (fr(x) + fr(y)).montgomery();
}
inline L sqr_lazy(const L& x) {
  return fr(x).square().montgomery();
}
inline L mul(const L& x, const L& y) {
  return (fr(x) * fr(y)).montgomery();
}
#endif

// x^5 for x < 2r, canonical.
[[gnu::always_inline]] inline L sbox(const L& x) {
  L x4 = sqr_lazy(sqr_lazy(x));
  return mul(x4, x);
}

// M_E: out_i = x_i + (x0 + x1 + x2).
[[gnu::always_inline]] inline void external_matrix(L& a, L& b, L& c) {
  L s = add(add(a, b), c);
  a = add(a, s);
  b = add(b, s);
  c = add(c, s);
}

[[gnu::always_inline]] inline void full_round(L& a, L& b, L& c, const std::array<Fr, kWidth>& k) {
  a = sbox(add_lazy(a, k[0].montgomery()));
  b = sbox(add_lazy(b, k[1].montgomery()));
  c = sbox(add_lazy(c, k[2].montgomery()));
  external_matrix(a, b, c);
}

// The 56 partial rounds: x = a + k_i (lazy), y = x^5, s = y + b + c, then
// (a, b, c) = (y + s, b + s, 2c + s). Only lane 0 goes through the S-box; the
// b, c updates run beside the next S-box. (A variant that shortened lane 0's
// chain with x^4·(2x) and a halving was slower: the loop is bound by
// instruction throughput more than by latency here.)
[[gnu::always_inline]] inline void partial_rounds(L& a, L& b, L& c,
                                                  const std::array<Fr, kPartialRounds>& k) {
  for (const Fr& ki : k) {
    const L y = sbox(add_lazy(a, ki.montgomery()));
    const L s = add(y, add(b, c));
    a = add(y, s);
    b = add(b, s);
    c = add(add(c, c), s);
  }
}

}  // namespace

void permute(State& state) {
  static const RoundConstants& rc = round_constants();
  L a = state[0].montgomery(), b = state[1].montgomery(), c = state[2].montgomery();
  external_matrix(a, b, c);
  for (const auto& k : rc.initial)
    full_round(a, b, c, k);
  partial_rounds(a, b, c, rc.internal);
  for (const auto& k : rc.final)
    full_round(a, b, c, k);
  state = {Fr::from_montgomery_unchecked(a), Fr::from_montgomery_unchecked(b),
           Fr::from_montgomery_unchecked(c)};
}

Fr compress(const Fr& x, const Fr& y, uint64_t key) {
  State s = {x, y, Fr::from_u64(key)};
  permute(s);
  return s[0];
}

}  // namespace codex::prover::poseidon2
