// The Poseidon2 sponge over field elements (proofs.md §1.3): state
// (s0, s1, s2) = (0, 0, 2^64 + 256·t + rate); absorb `rate` elements at a time
// by field addition into the rate lanes, then permute; "10*" padding (always
// one element 1, then zeros to a multiple of the rate); output s0.
// The reference uses rate 2 everywhere; rate 1 exists for test vectors.
#pragma once

#include <span>

#include "prover/poseidon2/permutation.h"

namespace codex::prover::poseidon2 {

// The capacity lane's initial value (domain separation): 2^64 + 256·t + rate.
Fr sponge_iv(unsigned rate);

// Streaming sponge. Not thread-safe (one per thread); cheap to construct.
class Sponge {
 public:
  // REQUIRES: rate is 1 or 2 (throws InvalidInput otherwise).
  explicit Sponge(unsigned rate = 2);

  void absorb(const Fr& x);
  void absorb(std::span<const Fr> xs) {
    for (const Fr& x : xs)
      absorb(x);
  }
  // Pads, absorbs the last block and returns the digest. The sponge must not be
  // used afterwards.
  Fr finish();

 private:
  State state_;
  unsigned rate_;
  unsigned pos_ = 0;  // elements absorbed into the current block
};

Fr sponge(std::span<const Fr> xs, unsigned rate = 2);

}  // namespace codex::prover::poseidon2
