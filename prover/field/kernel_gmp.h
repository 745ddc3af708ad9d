// The reference multiplication kernel: Montgomery multiplication and squaring
// on GMP's mpn layer (schoolbook product by mpn_mul_n / mpn_sqr, then
// word-by-word REDC with mpn_addmul_1). Works for any limb count n ≤ 8 and
// any odd modulus m < 2^(64n).
//
// Contract: a, b < m; r receives a·b·2^(-64n) mod m, fully reduced. r may
// alias a or b. Thread-safe (no global state).
#pragma once

#include <cstddef>
#include <cstdint>

namespace codex::prover::field {

void mont_mul_gmp(uint64_t* r, const uint64_t* a, const uint64_t* b, const uint64_t* m,
                  uint64_t neg_inv, size_t n);
void mont_sqr_gmp(uint64_t* r, const uint64_t* a, const uint64_t* m, uint64_t neg_inv, size_t n);

}  // namespace codex::prover::field
