// The register-resident 4-limb Montgomery kernel for x86-64 with BMI2 and ADX
// (mulx, adcx, adox): the no-carry CIOS of kernel_adx.h with fewer
// instructions, which is what limits a chain of products on this hardware
// (measured: an x^5 chain runs at about the kernel's uop count / 4 per cycle):
//   - the first operand lives in registers (pass the fresher value as `a`;
//     `b` is read from memory through one pointer); squaring reads registers;
//   - the low word of q·m is never added: lo(q·m0) + t0 carries exactly when
//     t0 != 0, which one adcx of all-ones computes (21 instead of 25 uops per
//     reduction step); zero and all-ones come from operands, not mov $0;
//   - the *_lazy entry points skip the final subtraction and return a value in
//     [0, 2m), for chains of products (Poseidon2 S-box) that reduce once.
//
// Bounds (why the no-carry accumulator never overflows): with m < 2^254 (so
// 4m < 2^256) and a, b < 2m, every row keeps t < a + m < 2^256, the fifth word
// never carries, and the result (a·b + q·m)/2^256 < 4m²/2^256 + m < 2m.
// REQUIRES for every function here: cios_no_carry_ok(m) and 4m < 2^256
// (mulx_kernel_ok(m)); operands < 2m. mont_*_mulx return the reduced value
// (< m), bit for bit mont_mul_gmp's for operands < m. Optimised builds only:
// unoptimised code cannot address all the operands with the registers left, nor
// can sanitized builds (cmake/Sanitizers.cmake: frame pointer and instrumentation
// take registers), which use kernel_adx.h instead.
#pragma once

#include "prover/field/limbs.h"

namespace codex::prover::field {

// 4m < 2^256: the top limb leaves the two high bits free.
constexpr bool mulx_kernel_ok(const Limbs<4>& m) {
  return m[3] < (uint64_t(1) << 62);
}

#if defined(__x86_64__) && defined(__BMI2__) && defined(__ADX__) && defined(__OPTIMIZE__) && \
    !defined(CODEX_SANITIZE)
#define CODEX_FIELD_HAVE_MULX 1
inline constexpr bool kHaveMulxKernel = true;

// Assembly fragments. Operand names: a0..a3 (registers), B0..B3 (the words of
// b: memory, or a0..a3 for squaring), r0..r4 (the five-word accumulator,
// rotated by one word after each reduction step), m0..m3 and inv (memory),
// zero and ones (register or memory). rax and rdx are scratch.
#define CODEX_MX_S(x) #x
#define CODEX_MX_OP(x) "%[" CODEX_MX_S(x) "]"

// t = a·b0 into T0..T3, HI.
#define CODEX_MX_ROW0(B, T0, T1, T2, T3, HI) \
  "movq " B ", %%rdx\n\t"                      \
  "xorl %%eax, %%eax\n\t"                                   \
  "mulxq %[a0], " CODEX_MX_OP(T0) ", " CODEX_MX_OP(T1) "\n\t" \
  "mulxq %[a1], %%rax, " CODEX_MX_OP(T2) "\n\t"             \
  "adcxq %%rax, " CODEX_MX_OP(T1) "\n\t"                    \
  "mulxq %[a2], %%rax, " CODEX_MX_OP(T3) "\n\t"             \
  "adcxq %%rax, " CODEX_MX_OP(T2) "\n\t"                    \
  "mulxq %[a3], %%rax, " CODEX_MX_OP(HI) "\n\t"             \
  "adcxq %%rax, " CODEX_MX_OP(T3) "\n\t"                    \
  "adcxq %[zero], " CODEX_MX_OP(HI) "\n\t"

// t += a·B; the fifth word goes to HI (free on entry).
#define CODEX_MX_ROW(B, T0, T1, T2, T3, HI) \
  "movq " B ", %%rdx\n\t"             \
  "xorl %%eax, %%eax\n\t"                          \
  "mulxq %[a0], %%rax, " CODEX_MX_OP(HI) "\n\t"    \
  "adoxq %%rax, " CODEX_MX_OP(T0) "\n\t"           \
  "adcxq " CODEX_MX_OP(HI) ", " CODEX_MX_OP(T1) "\n\t" \
  "mulxq %[a1], %%rax, " CODEX_MX_OP(HI) "\n\t"    \
  "adoxq %%rax, " CODEX_MX_OP(T1) "\n\t"           \
  "adcxq " CODEX_MX_OP(HI) ", " CODEX_MX_OP(T2) "\n\t" \
  "mulxq %[a2], %%rax, " CODEX_MX_OP(HI) "\n\t"    \
  "adoxq %%rax, " CODEX_MX_OP(T2) "\n\t"           \
  "adcxq " CODEX_MX_OP(HI) ", " CODEX_MX_OP(T3) "\n\t" \
  "mulxq %[a3], %%rax, " CODEX_MX_OP(HI) "\n\t"    \
  "adoxq %%rax, " CODEX_MX_OP(T3) "\n\t"           \
  "adcxq %[zero], " CODEX_MX_OP(HI) "\n\t"         \
  "adoxq %[zero], " CODEX_MX_OP(HI) "\n\t"

// q = T0·inv; t = (t + q·m) / 2^64: the result is T1..T3, HI and T0 is free.
// lo(q·m0) + T0 ≡ 0 (mod 2^64) carries exactly when T0 != 0, i.e. when
// T0 + (2^64 − 1) carries: one adcx with all-ones sets CF (OF stays clear),
// and the low product is never needed.
#define CODEX_MX_REDUCE(T0, T1, T2, T3, HI) \
  "movq " CODEX_MX_OP(T0) ", %%rdx\n\t"                    \
  "imulq %[inv], %%rdx\n\t"                                \
  "xorl %%eax, %%eax\n\t"                                  \
  "adcxq %[ones], " CODEX_MX_OP(T0) "\n\t"                 \
  "mulxq %[m1], %%rax, " CODEX_MX_OP(T0) "\n\t"            \
  "adoxq %%rax, " CODEX_MX_OP(T1) "\n\t"                   \
  "mulxq %[m0], %%rax, %%rax\n\t"                          \
  "adcxq %%rax, " CODEX_MX_OP(T1) "\n\t"                   \
  "adcxq " CODEX_MX_OP(T0) ", " CODEX_MX_OP(T2) "\n\t"      \
  "mulxq %[m2], %%rax, " CODEX_MX_OP(T0) "\n\t"            \
  "adoxq %%rax, " CODEX_MX_OP(T2) "\n\t"                   \
  "adcxq " CODEX_MX_OP(T0) ", " CODEX_MX_OP(T3) "\n\t"      \
  "mulxq %[m3], %%rax, " CODEX_MX_OP(T0) "\n\t"            \
  "adoxq %%rax, " CODEX_MX_OP(T3) "\n\t"                   \
  "adcxq " CODEX_MX_OP(T0) ", " CODEX_MX_OP(HI) "\n\t"      \
  "adoxq %[zero], " CODEX_MX_OP(HI) "\n\t"

// The four rows and reductions; the result is in r4, r0, r1, r2.
#define CODEX_MX_BODY(B0, B1, B2, B3)   \
  CODEX_MX_ROW0(B0, r0, r1, r2, r3, r4) \
  CODEX_MX_REDUCE(r0, r1, r2, r3, r4)   \
  CODEX_MX_ROW(B1, r1, r2, r3, r4, r0)  \
  CODEX_MX_REDUCE(r1, r2, r3, r4, r0)   \
  CODEX_MX_ROW(B2, r2, r3, r4, r0, r1)  \
  CODEX_MX_REDUCE(r2, r3, r4, r0, r1)   \
  CODEX_MX_ROW(B3, r3, r4, r0, r1, r2) CODEX_MX_REDUCE(r3, r4, r0, r1, r2)

// d = t − m, or t where that borrows: into a0..a3 (free after the products).
#define CODEX_MX_FINAL_SUB  \
  "movq %[r4], %[a0]\n\t"   \
  "subq %[m0], %[a0]\n\t"   \
  "movq %[r0], %[a1]\n\t"   \
  "sbbq %[m1], %[a1]\n\t"   \
  "movq %[r1], %[a2]\n\t"   \
  "sbbq %[m2], %[a2]\n\t"   \
  "movq %[r2], %[a3]\n\t"   \
  "sbbq %[m3], %[a3]\n\t"   \
  "cmovcq %[r4], %[a0]\n\t" \
  "cmovcq %[r0], %[a1]\n\t" \
  "cmovcq %[r1], %[a2]\n\t" \
  "cmovcq %[r2], %[a3]\n\t"

#define CODEX_MX_OUTPUTS                                                            \
  : [r0] "=&r"(r0), [r1] "=&r"(r1), [r2] "=&r"(r2), [r3] "=&r"(r3), [r4] "=&r"(r4), \
    [a0] "+&r"(a0), [a1] "+&r"(a1), [a2] "+&r"(a2), [a3] "+&r"(a3)
#define CODEX_MX_CONSTANTS                                                        \
  [m0] "m"(m[0]), [m1] "m"(m[1]), [m2] "m"(m[2]), [m3] "m"(m[3]), [inv] "m"(inv), \
      [zero] "rm"(uint64_t(0)), [ones] "rm"(~uint64_t(0))
#define CODEX_MX_OPERANDS \
  CODEX_MX_OUTPUTS:       \
  [pb] "r"(b.data()), "m"(b), CODEX_MX_CONSTANTS : "rax", "rdx", "cc"
// Squaring: b is a (its registers stay intact until the final subtraction).
#define CODEX_MX_SQR_OPERANDS \
  CODEX_MX_OUTPUTS:           \
  CODEX_MX_CONSTANTS:         \
  "rax", "rdx", "cc"

// r = a·b·2^-256 mod m, fully reduced. r may alias a or b.
[[gnu::always_inline]] inline void mont_mul_mulx(Limbs<4>& r, const Limbs<4>& a, const Limbs<4>& b,
                                                 const Limbs<4>& m, const uint64_t& inv) {
  uint64_t r0, r1, r2, r3, r4;
  uint64_t a0 = a[0], a1 = a[1], a2 = a[2], a3 = a[3];
  __asm__(CODEX_MX_BODY("0(%[pb])", "8(%[pb])", "16(%[pb])", "24(%[pb])")
              CODEX_MX_FINAL_SUB CODEX_MX_OPERANDS);
  (void)r3;
  r = {a0, a1, a2, a3};
}

// r ≡ a·b·2^-256 (mod m) with r < 2m (no final subtraction).
[[gnu::always_inline]] inline void mont_mul_mulx_lazy(Limbs<4>& r, const Limbs<4>& a,
                                                      const Limbs<4>& b, const Limbs<4>& m,
                                                      const uint64_t& inv) {
  uint64_t r0, r1, r2, r3, r4;
  uint64_t a0 = a[0], a1 = a[1], a2 = a[2], a3 = a[3];
  __asm__(CODEX_MX_BODY("0(%[pb])", "8(%[pb])", "16(%[pb])", "24(%[pb])") CODEX_MX_OPERANDS);
  (void)r3;
  r = {r4, r0, r1, r2};
}

// r = a²·2^-256 mod m, fully reduced.
[[gnu::always_inline]] inline void mont_sqr_mulx(Limbs<4>& r, const Limbs<4>& a, const Limbs<4>& m,
                                                 const uint64_t& inv) {
  uint64_t r0, r1, r2, r3, r4;
  uint64_t a0 = a[0], a1 = a[1], a2 = a[2], a3 = a[3];
  __asm__(CODEX_MX_BODY("%[a0]", "%[a1]", "%[a2]", "%[a3]")
              CODEX_MX_FINAL_SUB CODEX_MX_SQR_OPERANDS);
  (void)r3;
  r = {a0, a1, a2, a3};
}

// r ≡ a²·2^-256 (mod m) with r < 2m.
[[gnu::always_inline]] inline void mont_sqr_mulx_lazy(Limbs<4>& r, const Limbs<4>& a,
                                                      const Limbs<4>& m, const uint64_t& inv) {
  uint64_t r0, r1, r2, r3, r4;
  uint64_t a0 = a[0], a1 = a[1], a2 = a[2], a3 = a[3];
  __asm__(CODEX_MX_BODY("%[a0]", "%[a1]", "%[a2]", "%[a3]") CODEX_MX_SQR_OPERANDS);
  (void)r3;
  r = {r4, r0, r1, r2};
}

#undef CODEX_MX_S
#undef CODEX_MX_OP
#undef CODEX_MX_ROW0
#undef CODEX_MX_ROW
#undef CODEX_MX_REDUCE
#undef CODEX_MX_BODY
#undef CODEX_MX_FINAL_SUB
#undef CODEX_MX_OUTPUTS
#undef CODEX_MX_CONSTANTS
#undef CODEX_MX_OPERANDS
#undef CODEX_MX_SQR_OPERANDS

#else
#define CODEX_FIELD_HAVE_MULX 0
inline constexpr bool kHaveMulxKernel = false;
#endif

}  // namespace codex::prover::field
