// G2 of BN254: the order-r subgroup of the D-type sextic twist
// E'(Fq2): y² = x³ + 3/ξ, ξ = 9 + u. The twist has cofactor
// 2q − r ≠ 1, so points read from outside need g2_is_valid() (on the
// twist and in the order-r subgroup), not just the curve equation.
#pragma once

#include "prover/curve/fq12.h"
#include "prover/curve/point.h"
#include "prover/field/bn254.h"

namespace codex::prover::curve {

struct G2Curve {
  using Field = Fq2;
  // b' = 3/(9 + u).
  static const Fq2& b() {
    static const Fq2 kB = Fq2(Fq::from_u64(3), Fq()) * Fq2(Fq::from_u64(9), Fq::one()).inverse();
    return kB;
  }
  static constexpr const char* kName = "G2";
};

using G2Affine = Affine<G2Curve>;
using G2 = Jacobian<G2Curve>;

// The standard generator (EIP-197; snarkjs' γ₂ without contributions).
G2Affine g2_generator();

inline G2 operator*(const G2& p, const Fr& k) {
  auto e = k.to_int();
  return p.mul(e);
}

// In the order-r subgroup, for a point on the twist: ψ(P) = [6x²]P.
// REQUIRES: p.is_on_curve().
bool g2_in_subgroup(const G2Affine& p);
// The same by definition (r·P = O); twice as slow, kept as a cross-check.
bool g2_in_subgroup_by_order(const G2Affine& p);
// On the twist and in G2.
inline bool g2_is_valid(const G2Affine& p) {
  return p.is_on_curve() && g2_in_subgroup(p);
}

// The untwist–Frobenius–twist endomorphism ψ(x, y) = (x̄·γ₂, ȳ·γ₃), which
// acts on G2 as multiplication by q.
G2Affine g2_frobenius(const G2Affine& p);

}  // namespace codex::prover::curve
