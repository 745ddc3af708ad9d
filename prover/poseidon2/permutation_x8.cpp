#include "prover/poseidon2/permutation_x8.h"

#include "prover/poseidon2/constants.h"

namespace codex::prover::poseidon2 {

#if defined(__AVX512F__)
namespace {

using field::x8::Limbs29;
using field::x8::Vec;
namespace x8 = field::x8;

// Round constants as 29-bit limbs of k·2^261 mod r, broadcast at use.
struct ConstantsX8 {
  std::array<std::array<Limbs29, kWidth>, kFullRounds / 2> initial;
  std::array<Limbs29, kPartialRounds> internal;
  std::array<std::array<Limbs29, kWidth>, kFullRounds / 2> final;
};

const ConstantsX8& constants_x8() {
  static const ConstantsX8 c = [] {
    const RoundConstants& rc = round_constants();
    ConstantsX8 r;
    for (size_t i = 0; i < rc.initial.size(); ++i)
      for (size_t j = 0; j < kWidth; ++j) {
        r.initial[i][j] = FrX8::to_limbs(rc.initial[i][j]);
        r.final[i][j] = FrX8::to_limbs(rc.final[i][j]);
      }
    for (size_t i = 0; i < kPartialRounds; ++i)
      r.internal[i] = FrX8::to_limbs(rc.internal[i]);
    return r;
  }();
  return c;
}

// Bounds (fr_x8_kernel.h; ε < 0.006): S-box inputs are a normalized state
// element (< 8r: M_E of inputs < 2r gives < 8r, later M_E outputs are
// < 4·1.06r, the partial rounds leave a < 6.2r) plus a constant (< r), so
// < 9r with limbs < 2^30; the S-box output is then < 1.06r.
// Partial rounds start from reduced values (< 1.001r) and keep a < 6.2r
// (normalized) and b, c < 2.001r (reduce_lazy: they would otherwise grow by
// ~2 bits per round): s = y + b + c < 5.1r, a = y + s < 6.2r, and the lazy
// reductions see b + s < 7.1r and 2c + s < 9.1r with limbs < 2^32.
[[gnu::always_inline]] inline Vec sbox(const Vec& x) {
  Vec x4 = x8::sqr(x8::sqr(x));
  return x8::mul(x4, x);
}

[[gnu::always_inline]] inline void external_matrix(Vec& a, Vec& b, Vec& c) {
  Vec s = x8::add(x8::add(a, b), c);
  a = x8::add(a, s);
  b = x8::add(b, s);
  c = x8::add(c, s);
  x8::normalize(a);
  x8::normalize(b);
  x8::normalize(c);
}

[[gnu::always_inline]] inline void full_round(Vec& a, Vec& b, Vec& c,
                                              const std::array<Limbs29, kWidth>& k) {
  a = sbox(x8::add(a, k[0]));
  b = sbox(x8::add(b, k[1]));
  c = sbox(x8::add(c, k[2]));
  external_matrix(a, b, c);
}

void partial_rounds(Vec& a, Vec& b, Vec& c, const std::array<Limbs29, kPartialRounds>& k) {
  x8::reduce(a);
  x8::reduce(b);
  x8::reduce(c);
  for (const Limbs29& ki : k) {
    const Vec y = sbox(x8::add(a, ki));
    const Vec s = x8::add(y, x8::add(b, c));
    a = x8::add(y, s);
    x8::normalize(a);
    b = x8::add(b, s);
    c = x8::add(x8::add(c, c), s);
    x8::reduce_lazy(b);
    x8::reduce_lazy(c);
  }
}

}  // namespace

void permute_x8(StateX8& state) {
  const ConstantsX8& rc = constants_x8();
  // Inputs < 2r (FrX8's invariant): M_E gives < 8r, fine for the S-box.
  Vec a = state[0].raw(), b = state[1].raw(), c = state[2].raw();
  external_matrix(a, b, c);
  for (const auto& k : rc.initial)
    full_round(a, b, c, k);
  partial_rounds(a, b, c, rc.internal);
  for (const auto& k : rc.final)
    full_round(a, b, c, k);
  x8::reduce(a);
  x8::reduce(b);
  x8::reduce(c);
  state = {FrX8::from_raw(a), FrX8::from_raw(b), FrX8::from_raw(c)};
}

#else

void permute_x8(StateX8& state) {
  std::array<Fr, 8> a = state[0].to_fr(), b = state[1].to_fr(), c = state[2].to_fr();
  for (size_t i = 0; i < 8; ++i) {
    State s = {a[i], b[i], c[i]};
    permute(s);
    a[i] = s[0];
    b[i] = s[1];
    c[i] = s[2];
  }
  state = {FrX8::from_fr(a), FrX8::from_fr(b), FrX8::from_fr(c)};
}

#endif

void permute_x8(std::array<State, 8>& states) {
  std::array<std::array<Fr, 8>, kWidth> lanes;
  for (size_t i = 0; i < 8; ++i)
    for (size_t j = 0; j < kWidth; ++j)
      lanes[j][i] = states[i][j];
  StateX8 s = {FrX8::from_fr(lanes[0]), FrX8::from_fr(lanes[1]), FrX8::from_fr(lanes[2])};
  permute_x8(s);
  for (size_t j = 0; j < kWidth; ++j) {
    std::array<Fr, 8> out = s[j].to_fr();
    for (size_t i = 0; i < 8; ++i)
      states[i][j] = out[i];
  }
}

}  // namespace codex::prover::poseidon2
