#include "prover/field/kernel_gmp.h"

#include <gmp.h>

#include <cassert>

static_assert(sizeof(mp_limb_t) == sizeof(uint64_t) && GMP_NUMB_BITS == 64,
              "the field layer needs 64-bit GMP limbs");

namespace codex::prover::field {
namespace {

constexpr size_t kMaxLimbs = 8;

// t holds a 2n-limb product (plus one spare limb, zero); reduces it in place
// and writes t·2^(-64n) mod m to r.
void redc(uint64_t* r, mp_limb_t* t, const uint64_t* m, uint64_t neg_inv, size_t n) {
  auto* mp = reinterpret_cast<const mp_limb_t*>(m);
  for (size_t i = 0; i < n; ++i) {
    mp_limb_t q = t[i] * neg_inv;
    mp_limb_t carry = mpn_addmul_1(t + i, mp, mp_size_t(n), q);
    // Propagate into the upper limbs t[i+n .. 2n] (2n is the spare limb).
    mpn_add_1(t + i + n, t + i + n, mp_size_t(n + 1 - i), carry);
  }
  mp_limb_t* hi = t + n;
  if (hi[n] != 0 || mpn_cmp(hi, mp, mp_size_t(n)) >= 0) {
    mpn_sub_n(hi, hi, mp, mp_size_t(n));
  }
  for (size_t i = 0; i < n; ++i)
    r[i] = hi[i];
}

}  // namespace

void mont_mul_gmp(uint64_t* r, const uint64_t* a, const uint64_t* b, const uint64_t* m,
                  uint64_t neg_inv, size_t n) {
  assert(n <= kMaxLimbs);
  mp_limb_t t[2 * kMaxLimbs + 1];
  mpn_mul_n(t, reinterpret_cast<const mp_limb_t*>(a), reinterpret_cast<const mp_limb_t*>(b),
            mp_size_t(n));
  t[2 * n] = 0;
  redc(r, t, m, neg_inv, n);
}

void mont_sqr_gmp(uint64_t* r, const uint64_t* a, const uint64_t* m, uint64_t neg_inv, size_t n) {
  assert(n <= kMaxLimbs);
  mp_limb_t t[2 * kMaxLimbs + 1];
  mpn_sqr(t, reinterpret_cast<const mp_limb_t*>(a), mp_size_t(n));
  t[2 * n] = 0;
  redc(r, t, m, neg_inv, n);
}

}  // namespace codex::prover::field
