#include "prover/curve/g2.h"

namespace codex::prover::curve {

G2Affine g2_generator() {
  return G2Affine(
      Fq2::from_decimal(
          "10857046999023057135944570762232829481370756359578518086990519993285655852781",
          "11559732032986387107991004021392285783925812861821192530917403151452391805634"),
      Fq2::from_decimal(
          "8495653923123431417604973247489272438418190587263600148770280649306958101930",
          "4082367875863433681332203403145435568316851327593401208105741076214120093531"));
}

bool g2_in_subgroup(const G2Affine& p) {
  if (p.infinity) return true;
  // On the BN twist, P ∈ G2 ⟺ ψ(P) = [6x²]P (a 127-bit multiplication
  // instead of the 254-bit [r]P; cross-checked against it in the tests).
  constexpr field::u128 kSixXSquared =
      field::u128(4965661367192848881ull) * 4965661367192848881ull * 6;
  const uint64_t k[2] = {uint64_t(kSixXSquared), uint64_t(kSixXSquared >> 64)};
  return G2(g2_frobenius(p)) == G2(p).mul(k);
}

bool g2_in_subgroup_by_order(const G2Affine& p) {
  if (p.infinity) return true;
  return G2(p).mul(Fr::kModulus).is_identity();
}

G2Affine g2_frobenius(const G2Affine& p) {
  if (p.infinity) return p;
  const auto& g = frobenius_coefficients();
  return G2Affine(p.x.conjugate() * g[2], p.y.conjugate() * g[3]);
}

}  // namespace codex::prover::curve
