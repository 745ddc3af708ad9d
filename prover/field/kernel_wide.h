// Sums of products that share one Montgomery reduction, for Fq2 (G2
// coordinates): mont_mul_sum2 = (a·b + c·d)·2^-256 mod m, the two products
// interleaved with one reduction (Fq2 multiplication is two of these).
// mont_mul_sum2_portable is plain C++ (unsigned __int128) over a 512-bit
// product and reduction; it is the fallback without mulx and the tests'
// cross-check. Measured (session 3, bench/prover_field_bench): Karatsuba on
// 512-bit products (3 products, 2 reductions, 8-limb sums) was only ~5–8%
// faster than 3 reduced products; two mont_mul_sum2 are ~20% faster.
// REQUIRES for the assembly: cios_no_carry_ok(m) and mulx_kernel_ok(m).
#pragma once

#include "prover/field/kernel_mulx.h"
#include "prover/field/limbs.h"

namespace codex::prover::field {

// r = a·b (512 bits).
inline void mul_wide_portable(Limbs<8>& r, const Limbs<4>& a, const Limbs<4>& b) {
  Limbs<8> t{};
  for (size_t i = 0; i < 4; ++i) {
    uint64_t carry = 0;
    for (size_t j = 0; j < 4; ++j) {
      u128 p = u128(a[j]) * b[i] + t[i + j] + carry;
      t[i + j] = uint64_t(p);
      carry = uint64_t(p >> 64);
    }
    t[i + 4] = carry;
  }
  r = t;
}

// r = t·2^-256 mod m, fully reduced. REQUIRES: t < m·2^256, m odd.
inline void mont_reduce_wide_portable(Limbs<4>& r, const Limbs<8>& t, const Limbs<4>& m,
                                      uint64_t neg_inv) {
  // Nine words: t + k·m < 2m·2^256 may exceed 2^512 for moduli near 2^256.
  uint64_t w[9];
  for (size_t i = 0; i < 8; ++i)
    w[i] = t[i];
  w[8] = 0;
  for (size_t i = 0; i < 4; ++i) {
    uint64_t k = w[i] * neg_inv;
    uint64_t carry = 0;
    for (size_t j = 0; j < 4; ++j) {
      u128 p = u128(k) * m[j] + w[i + j] + carry;
      w[i + j] = uint64_t(p);
      carry = uint64_t(p >> 64);
    }
    for (size_t j = i + 4; j < 9 && carry != 0; ++j) {
      u128 s = u128(w[j]) + carry;
      w[j] = uint64_t(s);
      carry = uint64_t(s >> 64);
    }
  }
  Limbs<4> hi = {w[4], w[5], w[6], w[7]};
  Limbs<4> d;
  uint64_t borrow = limbs_sub(d, hi, m);
  r = (w[8] != 0 || borrow == 0) ? d : hi;
}

// r = (a·b + c·d)·2^-256 mod m. REQUIRES: a·b + c·d < m·2^256.
inline void mont_mul_sum2_portable(Limbs<4>& r, const Limbs<4>& a, const Limbs<4>& b,
                                   const Limbs<4>& c, const Limbs<4>& d, const Limbs<4>& m,
                                   uint64_t neg_inv) {
  Limbs<8> ab, cd;
  mul_wide_portable(ab, a, b);
  mul_wide_portable(cd, c, d);
  limbs_add(ab, ab, cd);
  mont_reduce_wide_portable(r, ab, m, neg_inv);
}

#if CODEX_FIELD_HAVE_MULX

#define CODEX_WD_S(x) #x
#define CODEX_WD_OP(x) "%[" CODEX_WD_S(x) "]"

// One reduction step on the window T0..T3 with fifth word HI (the pending
// carry): k = T0·inv; window = (window + k·m) / 2^64 into T1..T3, HI; T0 is
// free afterwards. The step of kernel_mulx.h (whose macros end with that
// header): lo(k·m0) + T0 carries iff T0 != 0.
#define CODEX_WD_REDUCE(T0, T1, T2, T3, HI) \
  "movq " CODEX_WD_OP(T0) ", %%rdx\n\t"                  \
  "imulq %[inv], %%rdx\n\t"                              \
  "xorl %%eax, %%eax\n\t"                                \
  "adcxq %[ones], " CODEX_WD_OP(T0) "\n\t"               \
  "mulxq %[m1], %%rax, " CODEX_WD_OP(T0) "\n\t"          \
  "adoxq %%rax, " CODEX_WD_OP(T1) "\n\t"                 \
  "mulxq %[m0], %%rax, %%rax\n\t"                        \
  "adcxq %%rax, " CODEX_WD_OP(T1) "\n\t"                 \
  "adcxq " CODEX_WD_OP(T0) ", " CODEX_WD_OP(T2) "\n\t"   \
  "mulxq %[m2], %%rax, " CODEX_WD_OP(T0) "\n\t"          \
  "adoxq %%rax, " CODEX_WD_OP(T2) "\n\t"                 \
  "adcxq " CODEX_WD_OP(T0) ", " CODEX_WD_OP(T3) "\n\t"   \
  "mulxq %[m3], %%rax, " CODEX_WD_OP(T0) "\n\t"          \
  "adoxq %%rax, " CODEX_WD_OP(T3) "\n\t"                 \
  "adcxq " CODEX_WD_OP(T0) ", " CODEX_WD_OP(HI) "\n\t"   \
  "adoxq %[zero], " CODEX_WD_OP(HI) "\n\t"

// Operand-in-memory rows for the sum of two products: A is a pointer operand
// name, B a memory word. ROWM0/ROWM: kernel_mulx.h's ROW0/ROW with a read
// from memory; ROWM_ACC adds A·B into T0..T3, HI with HI live (X is the scratch word).
#define CODEX_WD_ROWM0(A, B, T0, T1, T2, T3, HI) \
  "movq " B ", %%rdx\n\t"                                                  \
  "xorl %%eax, %%eax\n\t"                                                  \
  "mulxq 0(%[" A "]), " CODEX_WD_OP(T0) ", " CODEX_WD_OP(T1) "\n\t"        \
  "mulxq 8(%[" A "]), %%rax, " CODEX_WD_OP(T2) "\n\t"                      \
  "adcxq %%rax, " CODEX_WD_OP(T1) "\n\t"                                   \
  "mulxq 16(%[" A "]), %%rax, " CODEX_WD_OP(T3) "\n\t"                     \
  "adcxq %%rax, " CODEX_WD_OP(T2) "\n\t"                                   \
  "mulxq 24(%[" A "]), %%rax, " CODEX_WD_OP(HI) "\n\t"                     \
  "adcxq %%rax, " CODEX_WD_OP(T3) "\n\t"                                   \
  "adcxq %[zero], " CODEX_WD_OP(HI) "\n\t"
#define CODEX_WD_ROWM(A, B, T0, T1, T2, T3, HI) \
  "movq " B ", %%rdx\n\t"                                  \
  "xorl %%eax, %%eax\n\t"                                  \
  "mulxq 0(%[" A "]), %%rax, " CODEX_WD_OP(HI) "\n\t"      \
  "adoxq %%rax, " CODEX_WD_OP(T0) "\n\t"                   \
  "adcxq " CODEX_WD_OP(HI) ", " CODEX_WD_OP(T1) "\n\t"     \
  "mulxq 8(%[" A "]), %%rax, " CODEX_WD_OP(HI) "\n\t"      \
  "adoxq %%rax, " CODEX_WD_OP(T1) "\n\t"                   \
  "adcxq " CODEX_WD_OP(HI) ", " CODEX_WD_OP(T2) "\n\t"     \
  "mulxq 16(%[" A "]), %%rax, " CODEX_WD_OP(HI) "\n\t"     \
  "adoxq %%rax, " CODEX_WD_OP(T2) "\n\t"                   \
  "adcxq " CODEX_WD_OP(HI) ", " CODEX_WD_OP(T3) "\n\t"     \
  "mulxq 24(%[" A "]), %%rax, " CODEX_WD_OP(HI) "\n\t"     \
  "adoxq %%rax, " CODEX_WD_OP(T3) "\n\t"                   \
  "adcxq %[zero], " CODEX_WD_OP(HI) "\n\t"                 \
  "adoxq %[zero], " CODEX_WD_OP(HI) "\n\t"
#define CODEX_WD_ROWM_ACC(A, B, T0, T1, T2, T3, HI) \
  "movq " B ", %%rdx\n\t"                                 \
  "xorl %%eax, %%eax\n\t"                                 \
  "mulxq 0(%[" A "]), %%rax, %[x]\n\t"                    \
  "adoxq %%rax, " CODEX_WD_OP(T0) "\n\t"                  \
  "adcxq %[x], " CODEX_WD_OP(T1) "\n\t"                   \
  "mulxq 8(%[" A "]), %%rax, %[x]\n\t"                    \
  "adoxq %%rax, " CODEX_WD_OP(T1) "\n\t"                  \
  "adcxq %[x], " CODEX_WD_OP(T2) "\n\t"                   \
  "mulxq 16(%[" A "]), %%rax, %[x]\n\t"                   \
  "adoxq %%rax, " CODEX_WD_OP(T2) "\n\t"                  \
  "adcxq %[x], " CODEX_WD_OP(T3) "\n\t"                   \
  "mulxq 24(%[" A "]), %%rax, %[x]\n\t"                   \
  "adoxq %%rax, " CODEX_WD_OP(T3) "\n\t"                  \
  "adcxq %[x], " CODEX_WD_OP(HI) "\n\t"                   \
  "adoxq %[zero], " CODEX_WD_OP(HI) "\n\t"

// r = (a·b + c·d)·2^-256 mod m, fully reduced: two products interleaved with
// one Montgomery reduction (4 rows of each, 4 reduction steps instead of 8).
// Bounds, for a, c ≤ m, b, d < 2m and 4m < 2^256: the accumulator after each
// step is < a + c + m ≤ 3m < 2^256 and below 2^320 before the shift (five
// words); a·b + c·d < 4m² < m·2^256, so the result is < 2m and one
// subtraction finishes it. REQUIRES: those bounds; r may alias any operand.
[[gnu::always_inline]] inline void mont_mul_sum2(Limbs<4>& r, const Limbs<4>& a, const Limbs<4>& b,
                                                 const Limbs<4>& c, const Limbs<4>& d,
                                                 const Limbs<4>& m, const uint64_t& inv) {
  // rax and rdx are outputs (not clobbers) so that they can hold half of the
  // final subtraction: 12 registers in all, operand addresses included.
  uint64_t r0, r1, r2, r3, r4, x, ra, rd;
  __asm__(CODEX_WD_ROWM0("pa", "0(%[pb])", r0, r1, r2, r3, r4)      //
          CODEX_WD_ROWM_ACC("pc", "0(%[pd])", r0, r1, r2, r3, r4)   //
          CODEX_WD_REDUCE(r0, r1, r2, r3, r4)                       //
          CODEX_WD_ROWM("pa", "8(%[pb])", r1, r2, r3, r4, r0)       //
          CODEX_WD_ROWM_ACC("pc", "8(%[pd])", r1, r2, r3, r4, r0)   //
          CODEX_WD_REDUCE(r1, r2, r3, r4, r0)                       //
          CODEX_WD_ROWM("pa", "16(%[pb])", r2, r3, r4, r0, r1)      //
          CODEX_WD_ROWM_ACC("pc", "16(%[pd])", r2, r3, r4, r0, r1)  //
          CODEX_WD_REDUCE(r2, r3, r4, r0, r1)                       //
          CODEX_WD_ROWM("pa", "24(%[pb])", r3, r4, r0, r1, r2)      //
          CODEX_WD_ROWM_ACC("pc", "24(%[pd])", r3, r4, r0, r1, r2)  //
          CODEX_WD_REDUCE(r3, r4, r0, r1, r2)                       //
          // The result is r4, r0, r1, r2 (< 2m); d = result − m goes to
          // r3, x, rax, rdx, kept unless that borrows.
          "movq %[r4], %[r3]\n\t"    //
          "subq %[m0], %[r3]\n\t"    //
          "movq %[r0], %[x]\n\t"     //
          "sbbq %[m1], %[x]\n\t"     //
          "movq %[r1], %%rax\n\t"    //
          "sbbq %[m2], %%rax\n\t"    //
          "movq %[r2], %%rdx\n\t"    //
          "sbbq %[m3], %%rdx\n\t"    //
          "cmovcq %[r4], %[r3]\n\t"  //
          "cmovcq %[r0], %[x]\n\t"   //
          "cmovcq %[r1], %%rax\n\t"  //
          "cmovcq %[r2], %%rdx\n\t"
          : [r0] "=&r"(r0), [r1] "=&r"(r1), [r2] "=&r"(r2), [r3] "=&r"(r3), [r4] "=&r"(r4),
            [x] "=&r"(x), [ra] "=&a"(ra), [rd] "=&d"(rd)
          : [pa] "r"(a.data()), [pb] "r"(b.data()), [pc] "r"(c.data()), [pd] "r"(d.data()), "m"(a),
            "m"(b), "m"(c), "m"(d), [m0] "m"(m[0]), [m1] "m"(m[1]), [m2] "m"(m[2]), [m3] "m"(m[3]),
            [inv] "m"(inv), [zero] "rm"(uint64_t(0)), [ones] "rm"(~uint64_t(0))
          : "cc");
  r = {r3, x, ra, rd};
}

#undef CODEX_WD_ROWM0
#undef CODEX_WD_ROWM
#undef CODEX_WD_ROWM_ACC
#undef CODEX_WD_S
#undef CODEX_WD_OP
#undef CODEX_WD_REDUCE

#else

inline void mont_mul_sum2(Limbs<4>& r, const Limbs<4>& a, const Limbs<4>& b, const Limbs<4>& c,
                          const Limbs<4>& d, const Limbs<4>& m, const uint64_t& inv) {
  mont_mul_sum2_portable(r, a, b, c, d, m, inv);
}

#endif

}  // namespace codex::prover::field
