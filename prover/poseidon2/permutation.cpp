#include "prover/poseidon2/permutation.h"

#include "prover/poseidon2/constants.h"

namespace codex::prover::poseidon2 {
namespace {

inline Fr sbox(const Fr& x) {
  Fr x2 = x.square();
  Fr x4 = x2.square();
  return x4 * x;
}

inline void external_matrix(Fr& a, Fr& b, Fr& c) {
  Fr s = a + b + c;
  a += s;
  b += s;
  c += s;
}

inline void full_round(Fr& a, Fr& b, Fr& c, const std::array<Fr, kWidth>& rc) {
  a = sbox(a + rc[0]);
  b = sbox(b + rc[1]);
  c = sbox(c + rc[2]);
  external_matrix(a, b, c);
}

}  // namespace

void permute(State& state) {
  static const RoundConstants& rc = round_constants();
  Fr a = state[0], b = state[1], c = state[2];
  external_matrix(a, b, c);
  for (const auto& k : rc.initial)
    full_round(a, b, c, k);
  for (const Fr& k : rc.internal) {
    a = sbox(a + k);
    Fr s = a + b + c;
    a += s;
    b += s;
    c = c.dbl() + s;
  }
  for (const auto& k : rc.final)
    full_round(a, b, c, k);
  state = {a, b, c};
}

Fr compress(const Fr& x, const Fr& y, uint64_t key) {
  State s = {x, y, Fr::from_u64(key)};
  permute(s);
  return s[0];
}

}  // namespace codex::prover::poseidon2
