// Sums of products that share one Montgomery reduction, for Fq2 (G2
// coordinates) and its users:
//   - mont_mul_sum2:    (a·b + c·d)·2^-256 mod m, the two products interleaved
//     with one reduction (Fq2 multiplication is two of these);
//   - mul_wide:         the full 512-bit product of two 4-limb values;
//   - add_wide/sub_wide_mod: 8-limb sum, and difference kept non-negative by
//     adding m·2^256 on borrow (≡ 0 mod m, and invisible after reduction);
//   - mont_reduce_wide: t·2^-256 mod m for an 8-limb t < m·2^256, fully reduced.
// The *_portable versions are plain C++ (unsigned __int128), the others use
// mulx/adcx/adox where kernel_mulx.h is available and fall back otherwise;
// tests compare both and the Fp operators. Measured (bench/prover_field_bench,
// Fq2 rows): Karatsuba over mul_wide (3 products, 2 reductions, 8-limb
// sums) is only ~8% faster than 3 reduced products, because the reduction
// costs about what a product does and the 8-limb sums go through memory;
// two mont_mul_sum2 are ~20% faster, so Fq2 uses those.
//
// Bound of mont_reduce_wide (why one final subtraction suffices): REDC returns
// (t + k·m)/2^256 with k < 2^256, which is < 2m when t < m·2^256. The assembly
// adds t's upper words one per step into a 4-word window with a pending carry
// bit; the window plus k_i·m never exceeds 5 words (< 2^257 + 2^318).
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

// r = a + b over 8 limbs. REQUIRES: no carry out (callers' bounds).
[[gnu::always_inline]] inline void add_wide(Limbs<8>& r, const Limbs<8>& a, const Limbs<8>& b) {
  limbs_add(r, a, b);
}

// r = a − b, plus m·2^256 if that borrows. REQUIRES: b ≤ a + m·2^256.
[[gnu::always_inline]] inline void sub_wide_mod(Limbs<8>& r, const Limbs<8>& a, const Limbs<8>& b,
                                                const Limbs<4>& m) {
  uint64_t borrow = limbs_sub(r, a, b);
  const uint64_t mask = uint64_t(0) - borrow;
  uint64_t carry = 0;
#pragma GCC unroll 4
  for (size_t i = 0; i < 4; ++i)
    r[i + 4] = addc(r[i + 4], m[i] & mask, carry, carry);
}

#if CODEX_FIELD_HAVE_MULX

#define CODEX_WD_S(x) #x
#define CODEX_WD_OP(x) "%[" CODEX_WD_S(x) "]"

// T0..T3, HI = a·B (first row).
#define CODEX_WD_ROW0(B, T0, T1, T2, T3, HI) \
  "movq " B ", %%rdx\n\t"                                     \
  "xorl %%eax, %%eax\n\t"                                     \
  "mulxq %[a0], " CODEX_WD_OP(T0) ", " CODEX_WD_OP(T1) "\n\t" \
  "mulxq %[a1], %%rax, " CODEX_WD_OP(T2) "\n\t"               \
  "adcxq %%rax, " CODEX_WD_OP(T1) "\n\t"                      \
  "mulxq %[a2], %%rax, " CODEX_WD_OP(T3) "\n\t"               \
  "adcxq %%rax, " CODEX_WD_OP(T2) "\n\t"                      \
  "mulxq %[a3], %%rax, " CODEX_WD_OP(HI) "\n\t"               \
  "adcxq %%rax, " CODEX_WD_OP(T3) "\n\t"                      \
  "adcxq %[zero], " CODEX_WD_OP(HI) "\n\t"

// T0..T3, HI = T0..T3 + a·B (HI free on entry).
#define CODEX_WD_ROW(B, T0, T1, T2, T3, HI) \
  "movq " B ", %%rdx\n\t"                                  \
  "xorl %%eax, %%eax\n\t"                                  \
  "mulxq %[a0], %%rax, " CODEX_WD_OP(HI) "\n\t"            \
  "adoxq %%rax, " CODEX_WD_OP(T0) "\n\t"                   \
  "adcxq " CODEX_WD_OP(HI) ", " CODEX_WD_OP(T1) "\n\t"     \
  "mulxq %[a1], %%rax, " CODEX_WD_OP(HI) "\n\t"            \
  "adoxq %%rax, " CODEX_WD_OP(T1) "\n\t"                   \
  "adcxq " CODEX_WD_OP(HI) ", " CODEX_WD_OP(T2) "\n\t"     \
  "mulxq %[a2], %%rax, " CODEX_WD_OP(HI) "\n\t"            \
  "adoxq %%rax, " CODEX_WD_OP(T2) "\n\t"                   \
  "adcxq " CODEX_WD_OP(HI) ", " CODEX_WD_OP(T3) "\n\t"     \
  "mulxq %[a3], %%rax, " CODEX_WD_OP(HI) "\n\t"            \
  "adoxq %%rax, " CODEX_WD_OP(T3) "\n\t"                   \
  "adcxq %[zero], " CODEX_WD_OP(HI) "\n\t"                 \
  "adoxq %[zero], " CODEX_WD_OP(HI) "\n\t"

#define CODEX_WD_STORE(T, OFF) "movq " CODEX_WD_OP(T) ", " OFF "(%[pr])\n\t"

// r = a·b (512 bits). r must not alias b.
[[gnu::always_inline]] inline void mul_wide(Limbs<8>& r, const Limbs<4>& a, const Limbs<4>& b) {
  uint64_t t0, t1, t2, t3, t4;
  uint64_t a0 = a[0], a1 = a[1], a2 = a[2], a3 = a[3];
  __asm__(CODEX_WD_ROW0("0(%[pb])", t0, t1, t2, t3, t4) CODEX_WD_STORE(t0, "0")
              CODEX_WD_ROW("8(%[pb])", t1, t2, t3, t4, t0) CODEX_WD_STORE(t1, "8")
                  CODEX_WD_ROW("16(%[pb])", t2, t3, t4, t0, t1) CODEX_WD_STORE(t2, "16")
                      CODEX_WD_ROW("24(%[pb])", t3, t4, t0, t1, t2) CODEX_WD_STORE(t3, "24")
                          CODEX_WD_STORE(t4, "32") CODEX_WD_STORE(t0, "40") CODEX_WD_STORE(t1, "48")
                              CODEX_WD_STORE(t2, "56")
          : [t0] "=&r"(t0), [t1] "=&r"(t1), [t2] "=&r"(t2), [t3] "=&r"(t3), [t4] "=&r"(t4), "=m"(r)
          : [a0] "r"(a0), [a1] "r"(a1), [a2] "r"(a2), [a3] "r"(a3), [pb] "r"(b.data()),
            "m"(b), [pr] "r"(r.data()), [zero] "rm"(uint64_t(0))
          : "rax", "rdx", "cc");
}

// One reduction step on the window T0..T3 with fifth word HI (the pending
// carry): k = T0·inv; window = (window + k·m) / 2^64 into T1..T3, HI; T0 is
// free afterwards. As kernel_mulx.h: lo(k·m0) + T0 carries iff T0 != 0.
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

// HI += the next upper word of t; its carry becomes the next fifth word (in
// the register REDUCE just freed).
#define CODEX_WD_FOLD(OFF, HI, NEXT) \
  "xorl %k[" CODEX_WD_S(NEXT) "], %k[" CODEX_WD_S(NEXT) "]\n\t" \
  "addq " OFF "(%[pt]), " CODEX_WD_OP(HI) "\n\t" \
  "adcq $0, " CODEX_WD_OP(NEXT) "\n\t"

// r = t·2^-256 mod m, fully reduced. REQUIRES: t < m·2^256.
[[gnu::always_inline]] inline void mont_reduce_wide(Limbs<4>& r, const Limbs<8>& t,
                                                    const Limbs<4>& m, const uint64_t& inv) {
  uint64_t r0 = t[0], r1 = t[1], r2 = t[2], r3 = t[3], r4 = 0;
  uint64_t d0, d1, d2, d3;
  __asm__(CODEX_WD_REDUCE(r0, r1, r2, r3, r4) CODEX_WD_FOLD("32", r4, r0)  //
          CODEX_WD_REDUCE(r1, r2, r3, r4, r0) CODEX_WD_FOLD("40", r0, r1)  //
          CODEX_WD_REDUCE(r2, r3, r4, r0, r1) CODEX_WD_FOLD("48", r1, r2)  //
          CODEX_WD_REDUCE(r3, r4, r0, r1, r2)                              //
          "addq 56(%[pt]), %[r2]\n\t"                                      //
          "movq %[r4], %[d0]\n\t"                                          //
          "subq %[m0], %[d0]\n\t"                                          //
          "movq %[r0], %[d1]\n\t"                                          //
          "sbbq %[m1], %[d1]\n\t"                                          //
          "movq %[r1], %[d2]\n\t"                                          //
          "sbbq %[m2], %[d2]\n\t"                                          //
          "movq %[r2], %[d3]\n\t"                                          //
          "sbbq %[m3], %[d3]\n\t"                                          //
          "cmovcq %[r4], %[d0]\n\t"                                        //
          "cmovcq %[r0], %[d1]\n\t"                                        //
          "cmovcq %[r1], %[d2]\n\t"                                        //
          "cmovcq %[r2], %[d3]\n\t"
          : [r0] "+&r"(r0), [r1] "+&r"(r1), [r2] "+&r"(r2), [r3] "+&r"(r3), [r4] "+&r"(r4),
            [d0] "=&r"(d0), [d1] "=&r"(d1), [d2] "=&r"(d2), [d3] "=&r"(d3)
          : [pt] "r"(t.data()), "m"(t), [m0] "m"(m[0]), [m1] "m"(m[1]), [m2] "m"(m[2]),
            [m3] "m"(m[3]), [inv] "m"(inv), [zero] "rm"(uint64_t(0)), [ones] "rm"(~uint64_t(0))
          : "rax", "rdx", "cc");
  r = {d0, d1, d2, d3};
}

// Operand-in-memory rows for the sum of two products: A is a pointer operand
// name, B a memory word. ROWM0/ROWM: as ROW0/ROW with a read from memory;
// ROWM_ACC adds A·B into T0..T3, HI with HI live (X is the scratch word).
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
#undef CODEX_WD_ROW0
#undef CODEX_WD_ROW
#undef CODEX_WD_STORE
#undef CODEX_WD_REDUCE
#undef CODEX_WD_FOLD

#else

inline void mont_mul_sum2(Limbs<4>& r, const Limbs<4>& a, const Limbs<4>& b, const Limbs<4>& c,
                          const Limbs<4>& d, const Limbs<4>& m, const uint64_t& inv) {
  mont_mul_sum2_portable(r, a, b, c, d, m, inv);
}
inline void mul_wide(Limbs<8>& r, const Limbs<4>& a, const Limbs<4>& b) {
  mul_wide_portable(r, a, b);
}
inline void mont_reduce_wide(Limbs<4>& r, const Limbs<8>& t, const Limbs<4>& m,
                             const uint64_t& inv) {
  mont_reduce_wide_portable(r, t, m, inv);
}

#endif

}  // namespace codex::prover::field
