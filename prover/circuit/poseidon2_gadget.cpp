#include "prover/circuit/poseidon2_gadget.h"

#include "prover/poseidon2/constants.h"

namespace codex::prover::circuit {
namespace {

using LC = LinearCombination;

// M_E: out_i = x_i + (x0 + x1 + x2).
void external_matrix(LcState& s) {
  LC sum = s[0] + s[1] + s[2];
  for (auto& x : s)
    x += sum;
}

void full_round(CircuitBuilder& cb, LcState& s, const std::array<Fr, 3>& rc) {
  for (size_t i = 0; i < 3; ++i)
    s[i] = LC(sbox_gadget(cb, s[i] + LC::constant(rc[i])));
  external_matrix(s);
}

}  // namespace

Wire sbox_gadget(CircuitBuilder& cb, const LinearCombination& x) {
  Wire x2 = cb.square(x);
  Wire x4 = cb.square(x2);
  return cb.mul(x4, x);
}

LcState permute_gadget(CircuitBuilder& cb, const LcState& in) {
  const poseidon2::RoundConstants& rc = poseidon2::round_constants();
  LcState s = in;
  external_matrix(s);
  for (const auto& k : rc.initial)
    full_round(cb, s, k);
  for (const Fr& k : rc.internal) {
    // M_I: (x0 + sum, x1 + sum, 2·x2 + sum).
    s[0] = LC(sbox_gadget(cb, s[0] + LC::constant(k)));
    LC sum = s[0] + s[1] + s[2];
    s[0] += sum;
    s[1] += sum;
    s[2] += s[2];
    s[2] += sum;
  }
  for (const auto& k : rc.final)
    full_round(cb, s, k);
  return s;
}

LinearCombination compress_gadget(CircuitBuilder& cb, const LinearCombination& x,
                                  const LinearCombination& y, uint64_t key) {
  return permute_gadget(cb, {x, y, LC::constant(Fr::from_u64(key))})[0];
}

LinearCombination sponge2_gadget(CircuitBuilder& cb, std::span<const LinearCombination> xs) {
  // Capacity IV 2^64 + 256·t + rate, as in poseidon2::Sponge.
  Fr two64 = Fr::from_u64(uint64_t(1) << 63).dbl();
  LcState s = {LC(), LC(), LC::constant(two64 + Fr::from_u64(256 * 3 + 2))};
  size_t pos = 0;
  for (const LC& x : xs) {
    s[pos] += x;
    if (++pos == 2) {
      s = permute_gadget(cb, s);
      pos = 0;
    }
  }
  s[pos] += LC::constant(Fr::one());
  s = permute_gadget(cb, s);
  return s[0];
}

}  // namespace codex::prover::circuit
