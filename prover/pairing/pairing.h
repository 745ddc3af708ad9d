// The optimal ate pairing on BN254, e: G1 × G2 → μ_r ⊂ Fq12*, with
// loop count 6x + 2 (x = 4965661367192848881) and the final exponentiation
// f ↦ f^((q¹²−1)/r) (easy part (q⁶−1)(q²+1), hard part by the addition chain
// in x of Scott et al., which yields exactly (q⁴−q²+1)/r).
//
// The result is the reduced pairing itself. snarkjs (ffjavascript) uses the
// Fuentes-Castañeda hard part, whose value is ours raised to
// m = 2x(6x²+3x+1) (so vk_alphabeta_12 = e(α₁, β₂)^m, checked in the tests);
// both agree on whether a product of pairings is 1.
//
// All functions are pure and thread-safe. Inputs are assumed valid group
// elements (callers validate points read from outside: g2_is_valid()).
#pragma once

#include <span>
#include <vector>

#include "prover/curve/fq12.h"
#include "prover/curve/g1.h"
#include "prover/curve/g2.h"

namespace codex::prover::pairing {

using curve::Fq12;
using curve::Fq2;
using curve::G1Affine;
using curve::G2Affine;

// The Miller-loop lines of one G2 point, precomputed (independent of the G1
// argument): worth keeping for fixed keys (β₂, γ₂, δ₂).
class G2Prepared {
 public:
  struct Line {
    Fq2 c0, c1, c2;  // evaluated at P as c0·y_P + c1·x_P·w + c2·v·w
  };

  explicit G2Prepared(const G2Affine& q);

  bool is_identity() const { return infinity_; }
  const std::vector<Line>& lines() const { return lines_; }

 private:
  std::vector<Line> lines_;
  bool infinity_;
};

// Π f_{6x+2,Qᵢ}(Pᵢ) with the two Frobenius lines (before final exponentiation).
// Pairs with an identity element contribute 1.
Fq12 miller_loop(std::span<const G1Affine> ps, std::span<const G2Prepared* const> qs);

// f^((q¹²−1)/r). REQUIRES: f ≠ 0.
Fq12 final_exponentiation(const Fq12& f);

// e(P, Q).
Fq12 pairing(const G1Affine& p, const G2Affine& q);

// Π e(Pᵢ, Qᵢ) with one shared final exponentiation.
// REQUIRES: ps.size() == qs.size() (throws InvalidInput otherwise).
Fq12 multi_pairing(std::span<const G1Affine> ps, std::span<const G2Affine> qs);

}  // namespace codex::prover::pairing
