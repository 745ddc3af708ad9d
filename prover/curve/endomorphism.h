// The GLV endomorphism of BN254: φ(x, y) = (β·x, y), with β a primitive cube
// root of unity in Fq. Both G1 (y² = x³ + 3) and the G2 twist
// (y² = x³ + b') are invariant under x ↦ β·x, and on each group φ acts as
// multiplication by a cube root of unity λ in Fr. The β used for each group
// is chosen so that λ is the same (glv_lambda()); the tests check
// φ(P) = λ·P on both.
//
// Used by the MSM (prover/msm/glv.h) to halve scalar lengths.
#pragma once

#include "prover/curve/g1.h"
#include "prover/curve/g2.h"

namespace codex::prover::curve {

// λ = 4407920970296243842393367215006156084916469457145843978461 (λ³ = 1 in Fr).
inline const Fr& glv_lambda() {
  static const Fr k =
      Fr::from_decimal("4407920970296243842393367215006156084916469457145843978461");
  return k;
}

// β for G1: φ(P) = λ·P.
inline const Fq& glv_beta_g1() {
  static const Fq k =
      Fq::from_decimal("2203960485148121921418603742825762020974279258880205651966");
  return k;
}

// β for G2: φ(Q) = λ·Q (β² of G1: on the twist the other cube root pairs with λ).
inline const Fq& glv_beta_g2() {
  static const Fq k = Fq::from_decimal(
      "21888242871839275220042445260109153167277707414472061641714758635765020556616");
  return k;
}

// The β for a curve of point.h (G1Curve or G2Curve).
template <class C>
const Fq& glv_beta();
template <>
inline const Fq& glv_beta<G1Curve>() {
  return glv_beta_g1();
}
template <>
inline const Fq& glv_beta<G2Curve>() {
  return glv_beta_g2();
}

template <class C>
Affine<C> glv_endomorphism(const Affine<C>& p) {
  if (p.infinity) return p;
  return Affine<C>(p.x * glv_beta<C>(), p.y);
}

}  // namespace codex::prover::curve
