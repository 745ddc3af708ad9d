// The two BN254 (alt_bn128) prime fields.
//   Fr: scalar field, r =
//   21888242871839275222246405745257275088548364400416034343698204186575808495617
//       (Poseidon2, Merkle trees, circuit witnesses; 2-adicity 28).
//   Fq: base field,   q =
//   21888242871839275222246405745257275088696311157297823662689037894645226208583
//       (curve coordinates; q ≡ 3 mod 4).
#pragma once

#include "prover/field/fp.h"

namespace codex::prover {

namespace field {

struct Bn254FrParams {
  static constexpr Limbs<4> kModulus = {0x43e1f593f0000001ull, 0x2833e84879b97091ull,
                                        0xb85045b68181585dull, 0x30644e72e131a029ull};
  static constexpr const char* kName = "BN254 Fr";
};

struct Bn254FqParams {
  static constexpr Limbs<4> kModulus = {0x3c208c16d87cfd47ull, 0x97816a916871ca8dull,
                                        0xb85045b68181585dull, 0x30644e72e131a029ull};
  static constexpr const char* kName = "BN254 Fq";
};

}  // namespace field

using Fr = field::Fp<field::Bn254FrParams>;
using Fq = field::Fp<field::Bn254FqParams>;

}  // namespace codex::prover
