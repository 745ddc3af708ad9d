// The Grain LFSR of the Poseidon reference scripts, which generates Poseidon
// and Poseidon2 round constants (proofs.md §1.2).
//
// The 80-bit register starts as FIELD (2 bits), SBOX (4), field bits (12),
// t (12), R_F (10), R_P (10), then 30 one bits, each field most significant bit
// first; feedback taps 62, 51, 38, 23, 13, 0; the first 160 outputs are
// discarded; outputs are self-shrunk (pairs: emit the second bit when the first
// is 1). A constant is the next field_bits output bits read most significant
// first, redrawn while it is ≥ the modulus.
#pragma once

#include <bitset>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "prover/field/bn254.h"

namespace codex::prover::poseidon2 {

struct GrainParams {
  unsigned field = 1;  // 1 = prime field
  unsigned sbox = 1;   // the Feb-2023 HorizenLabs script used 1 (not 0)
  unsigned field_bits = 254;
  unsigned t = 3;
  unsigned full_rounds = 8;
  unsigned partial_rounds = 56;
};

class GrainLfsr {
 public:
  explicit GrainLfsr(const GrainParams& p);
  // The next self-shrunk output bit.
  bool next_bit();

 private:
  bool step();  // one raw LFSR step
  std::bitset<80> state_;
  size_t head_ = 0;  // index of the oldest bit (ring buffer)
};

// The first `count` Fr constants of the sequence (count = R_F·t + R_P for a
// Poseidon2 instance: external-initial, internal, external-final in order).
// REQUIRES: p.field_bits == 254 (BN254 Fr).
std::vector<Fr> grain_field_elements(const GrainParams& p, size_t count);

}  // namespace codex::prover::poseidon2
