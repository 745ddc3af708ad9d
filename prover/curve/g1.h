// G1 of BN254: y² = x³ + 3 over Fq, prime order r (cofactor 1), generator (1, 2).
//
// Every point on the curve is in the subgroup, so is_on_curve() is the full
// validity check for G1.
#pragma once

#include "prover/curve/point.h"
#include "prover/field/bn254.h"

namespace codex::prover::curve {

struct G1Curve {
  using Field = Fq;
  static const Fq& b() {
    static const Fq kB = Fq::from_u64(3);
    return kB;
  }
  static constexpr const char* kName = "G1";
};

using G1Affine = Affine<G1Curve>;
using G1 = Jacobian<G1Curve>;

inline G1Affine g1_generator() {
  return G1Affine(Fq::from_u64(1), Fq::from_u64(2));
}

// k·P for a scalar of Fr.
inline G1 operator*(const G1& p, const Fr& k) {
  auto e = k.to_int();
  return p.mul(e);
}

// On the curve (hence in the subgroup: cofactor 1).
inline bool g1_is_valid(const G1Affine& p) {
  return p.is_on_curve();
}

}  // namespace codex::prover::curve
