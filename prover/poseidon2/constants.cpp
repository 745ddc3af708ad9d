#include "prover/poseidon2/constants.h"

#include "prover/poseidon2/grain.h"

namespace codex::prover::poseidon2 {

const RoundConstants& round_constants() {
  static const RoundConstants rc = [] {
    GrainParams p;  // FIELD 1, SBOX 1, 254 bits, t 3, R_F 8, R_P 56
    auto v = grain_field_elements(p, kFullRounds * kWidth + kPartialRounds);
    RoundConstants c;
    size_t k = 0;
    for (auto& round : c.initial) {
      for (auto& x : round)
        x = v[k++];
    }
    for (auto& x : c.internal)
      x = v[k++];
    for (auto& round : c.final) {
      for (auto& x : round)
        x = v[k++];
    }
    return c;
  }();
  return rc;
}

}  // namespace codex::prover::poseidon2
