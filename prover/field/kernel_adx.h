// The fastest multiplication kernel on x86-64 CPUs with BMI2 and ADX: 4-limb
// Montgomery multiplication in inline assembly with mulx and the two
// independent carry chains of adcx (CF) and adox (OF). It is the no-carry CIOS
// of kernel_cios.h, word for word (the schedule of gnark-crypto's generated
// amd64 field code), so it needs cios_no_carry_ok(m).
//
// Also here: branch-free 4-limb modular addition and subtraction with cmov
// (any x86-64), which GCC otherwise compiles to an unpredictable branch.
//
// The multiplication is available when the compiler targets BMI2 and ADX (CODEX_NATIVE=ON builds
// with -march=native); otherwise kHaveAdxKernel is false and the CIOS kernel is used. Contract: as
// mont_mul_gmp (kernel_gmp.h); tests compare it with the GMP path.
#pragma once

#include "prover/field/kernel_cios.h"
#include "prover/field/limbs.h"

namespace codex::prover::field {

#if defined(__x86_64__) && defined(__BMI2__) && defined(__ADX__)
inline constexpr bool kHaveAdxKernel = true;

// REQUIRES: cios_no_carry_ok(m); a, b < m.
[[gnu::always_inline]] inline void mont_mul_adx(Limbs<4>& r, const Limbs<4>& a, const Limbs<4>& b,
                                                const Limbs<4>& m, uint64_t neg_inv) {
  uint64_t t0, t1, t2, t3, hi, tmp;
  // The operand pointers are read-write so that the final subtraction can
  // reuse their registers once the products are done (d0..d3 below alias
  // hi, tmp, pa, pb): 11 registers in all.
  uint64_t pa = reinterpret_cast<uint64_t>(a.data());
  uint64_t pb = reinterpret_cast<uint64_t>(b.data());
  // t += a·b[i] (first word: t = a·b[0]); hi holds word 4.
#define CODEX_MUL_WORD_0             \
  "movq 0(%[b]), %%rdx\n\t"          \
  "xorl %%eax, %%eax\n\t"            \
  "mulxq 0(%[a]), %[t0], %[t1]\n\t"  \
  "mulxq 8(%[a]), %%rax, %[t2]\n\t"  \
  "adoxq %%rax, %[t1]\n\t"           \
  "mulxq 16(%[a]), %%rax, %[t3]\n\t" \
  "adoxq %%rax, %[t2]\n\t"           \
  "mulxq 24(%[a]), %%rax, %[hi]\n\t" \
  "adoxq %%rax, %[t3]\n\t"           \
  "movl $0, %%eax\n\t"               \
  "adoxq %%rax, %[hi]\n\t"
#define CODEX_MUL_WORD_N(off)        \
  "movq " off                        \
  "(%[b]), %%rdx\n\t"                \
  "xorl %%eax, %%eax\n\t"            \
  "mulxq 0(%[a]), %%rax, %[hi]\n\t"  \
  "adoxq %%rax, %[t0]\n\t"           \
  "adcxq %[hi], %[t1]\n\t"           \
  "mulxq 8(%[a]), %%rax, %[hi]\n\t"  \
  "adoxq %%rax, %[t1]\n\t"           \
  "adcxq %[hi], %[t2]\n\t"           \
  "mulxq 16(%[a]), %%rax, %[hi]\n\t" \
  "adoxq %%rax, %[t2]\n\t"           \
  "adcxq %[hi], %[t3]\n\t"           \
  "mulxq 24(%[a]), %%rax, %[hi]\n\t" \
  "adoxq %%rax, %[t3]\n\t"           \
  "movl $0, %%eax\n\t"               \
  "adcxq %%rax, %[hi]\n\t"           \
  "adoxq %%rax, %[hi]\n\t"
  // q = t0·(−m^{-1}); t = (t + q·m) / 2^64, folding in hi.
#define CODEX_DIV_SHIFT              \
  "movq %[t0], %%rdx\n\t"            \
  "imulq %[inv], %%rdx\n\t"          \
  "xorl %%eax, %%eax\n\t"            \
  "mulxq 0(%[m]), %%rax, %[tmp]\n\t" \
  "adcxq %[t0], %%rax\n\t"           \
  "movq %[tmp], %[t0]\n\t"           \
  "adcxq %[t1], %[t0]\n\t"           \
  "mulxq 8(%[m]), %%rax, %[t1]\n\t"  \
  "adoxq %%rax, %[t0]\n\t"           \
  "adcxq %[t2], %[t1]\n\t"           \
  "mulxq 16(%[m]), %%rax, %[t2]\n\t" \
  "adoxq %%rax, %[t1]\n\t"           \
  "adcxq %[t3], %[t2]\n\t"           \
  "mulxq 24(%[m]), %%rax, %[t3]\n\t" \
  "adoxq %%rax, %[t2]\n\t"           \
  "movl $0, %%eax\n\t"               \
  "adcxq %%rax, %[t3]\n\t"           \
  "adoxq %[hi], %[t3]\n\t"
  // Final conditional subtraction, branch-free: d = t − m, or t on borrow.
#define CODEX_FINAL_SUB      \
  "movq %[t0], %[hi]\n\t"    \
  "subq 0(%[m]), %[hi]\n\t"  \
  "movq %[t1], %[tmp]\n\t"   \
  "sbbq 8(%[m]), %[tmp]\n\t" \
  "movq %[t2], %[a]\n\t"     \
  "sbbq 16(%[m]), %[a]\n\t"  \
  "movq %[t3], %[b]\n\t"     \
  "sbbq 24(%[m]), %[b]\n\t"  \
  "cmovcq %[t0], %[hi]\n\t"  \
  "cmovcq %[t1], %[tmp]\n\t" \
  "cmovcq %[t2], %[a]\n\t"   \
  "cmovcq %[t3], %[b]\n\t"
  __asm__(CODEX_MUL_WORD_0 CODEX_DIV_SHIFT                    //
              CODEX_MUL_WORD_N("8") CODEX_DIV_SHIFT           //
                  CODEX_MUL_WORD_N("16") CODEX_DIV_SHIFT      //
                      CODEX_MUL_WORD_N("24") CODEX_DIV_SHIFT  //
                          CODEX_FINAL_SUB
          : [t0] "=&r"(t0), [t1] "=&r"(t1), [t2] "=&r"(t2), [t3] "=&r"(t3), [hi] "=&r"(hi),
            [tmp] "=&r"(tmp), [a] "+&r"(pa), [b] "+&r"(pb)
          : [m] "r"(m.data()), [inv] "m"(neg_inv), "m"(a), "m"(b), "m"(m)
          : "rax", "rdx", "cc");
#undef CODEX_MUL_WORD_0
#undef CODEX_MUL_WORD_N
#undef CODEX_DIV_SHIFT
#undef CODEX_FINAL_SUB
  r = {hi, tmp, pa, pb};
}
#else
inline constexpr bool kHaveAdxKernel = false;
#endif

#if defined(__x86_64__)
inline constexpr bool kHaveAsmAddSub = true;

// r = a + b mod m, branch-free (cmov). REQUIRES: cios_no_carry_ok(m) (so a + b
// never carries out of 256 bits); a, b < m.
[[gnu::always_inline]] inline void add_mod_asm(Limbs<4>& r, const Limbs<4>& a, const Limbs<4>& b,
                                               const Limbs<4>& m) {
  uint64_t t0 = a[0], t1 = a[1], t2 = a[2], t3 = a[3];
  uint64_t d0, d1, d2, d3;
  __asm__(
      "addq %[b0], %[t0]\n\t"
      "adcq %[b1], %[t1]\n\t"
      "adcq %[b2], %[t2]\n\t"
      "adcq %[b3], %[t3]\n\t"
      "movq %[t0], %[d0]\n\t"
      "subq %[m0], %[d0]\n\t"
      "movq %[t1], %[d1]\n\t"
      "sbbq %[m1], %[d1]\n\t"
      "movq %[t2], %[d2]\n\t"
      "sbbq %[m2], %[d2]\n\t"
      "movq %[t3], %[d3]\n\t"
      "sbbq %[m3], %[d3]\n\t"
      "cmovcq %[t0], %[d0]\n\t"
      "cmovcq %[t1], %[d1]\n\t"
      "cmovcq %[t2], %[d2]\n\t"
      "cmovcq %[t3], %[d3]\n\t"
      : [t0] "+&r"(t0), [t1] "+&r"(t1), [t2] "+&r"(t2), [t3] "+&r"(t3), [d0] "=&r"(d0),
        [d1] "=&r"(d1), [d2] "=&r"(d2), [d3] "=&r"(d3)
      : [b0] "rm"(b[0]), [b1] "rm"(b[1]), [b2] "rm"(b[2]), [b3] "rm"(b[3]), [m0] "m"(m[0]),
        [m1] "m"(m[1]), [m2] "m"(m[2]), [m3] "m"(m[3])
      : "cc");
  r = {d0, d1, d2, d3};
}

// r = a − b mod m, branch-free. REQUIRES: a, b < m.
[[gnu::always_inline]] inline void sub_mod_asm(Limbs<4>& r, const Limbs<4>& a, const Limbs<4>& b,
                                               const Limbs<4>& m) {
  uint64_t t0 = a[0], t1 = a[1], t2 = a[2], t3 = a[3];
  uint64_t u0, u1, u2, u3, mask;
  __asm__(
      "subq %[b0], %[t0]\n\t"
      "sbbq %[b1], %[t1]\n\t"
      "sbbq %[b2], %[t2]\n\t"
      "sbbq %[b3], %[t3]\n\t"
      "sbbq %[mask], %[mask]\n\t"
      "movq %[t0], %[u0]\n\t"
      "addq %[m0], %[u0]\n\t"
      "movq %[t1], %[u1]\n\t"
      "adcq %[m1], %[u1]\n\t"
      "movq %[t2], %[u2]\n\t"
      "adcq %[m2], %[u2]\n\t"
      "movq %[t3], %[u3]\n\t"
      "adcq %[m3], %[u3]\n\t"
      "testq %[mask], %[mask]\n\t"
      "cmovzq %[t0], %[u0]\n\t"
      "cmovzq %[t1], %[u1]\n\t"
      "cmovzq %[t2], %[u2]\n\t"
      "cmovzq %[t3], %[u3]\n\t"
      : [t0] "+&r"(t0), [t1] "+&r"(t1), [t2] "+&r"(t2), [t3] "+&r"(t3), [u0] "=&r"(u0),
        [u1] "=&r"(u1), [u2] "=&r"(u2), [u3] "=&r"(u3), [mask] "=&r"(mask)
      : [b0] "rm"(b[0]), [b1] "rm"(b[1]), [b2] "rm"(b[2]), [b3] "rm"(b[3]), [m0] "m"(m[0]),
        [m1] "m"(m[1]), [m2] "m"(m[2]), [m3] "m"(m[3])
      : "cc");
  r = {u0, u1, u2, u3};
}
#else
inline constexpr bool kHaveAsmAddSub = false;
#endif

}  // namespace codex::prover::field
