#include "prover/circuit/bits_gadget.h"

#include <string>

#include "prover/error.h"

namespace codex::prover::circuit {
namespace {

using LC = LinearCombination;

// Bit i of the standard representation of v.
bool bit_of(const Fr::Repr& v, size_t i) {
  return (v[i / 64] >> (i % 64)) & 1;
}

}  // namespace

std::vector<Wire> to_bits(CircuitBuilder& cb, const LinearCombination& x, size_t n) {
  if (n == 0 || n > kFrBits) {
    throw InvalidInput("to_bits: bit count " + std::to_string(n) + " out of range 1.." +
                       std::to_string(kFrBits));
  }
  const Fr::Repr v = cb.value(x).to_int();
  std::vector<Wire> bits;
  bits.reserve(n);
  LC sum;
  Fr pow = Fr::one();
  for (size_t i = 0; i < n; ++i) {
    Wire b = cb.add_private(bit_of(v, i) ? Fr::one() : Fr::zero());
    // b·(b − 1) = 0
    cb.add_constraint({LC(b), LC(b) - LC::constant(Fr::one()), LC()});
    sum.add(b, pow);
    pow = pow + pow;
    bits.push_back(b);
  }
  // (Σ 2^i·b_i − x)·1 = 0
  cb.add_constraint({sum - x, LC::constant(Fr::one()), LC()});
  if (n == kFrBits) assert_bits_below_modulus(cb, bits);
  return bits;
}

void assert_bits_below_modulus(CircuitBuilder& cb, const std::vector<Wire>& bits) {
  if (bits.size() != kFrBits) {
    throw InvalidInput("range check against r needs " + std::to_string(kFrBits) + " bits, got " +
                       std::to_string(bits.size()));
  }
  // Scan from the most significant bit. eq = "all bits above i equal those of
  // r" (boolean). At a position where r has a 1 and the value a 0 while eq
  // holds, the value is smaller: lt gains eq_above − eq_here, a 0/1 term; at
  // most one such term is 1 (the first difference). The value is < r iff
  // lt = 1 (equality leaves lt = 0, a larger value has its first difference
  // where r has a 0, which adds nothing).
  const Fr::Repr& r = Fr::kModulus;
  const LC one = LC::constant(Fr::one());
  LC eq = one;
  LC lt;
  for (size_t k = kFrBits; k-- > 0;) {
    const LC b(bits[k]);
    const LC agree = bit_of(r, k) ? b : one - b;  // bit k equals r's bit k
    LC eq_here = k == kFrBits - 1 ? agree : LC(cb.mul(eq, agree));
    if (bit_of(r, k)) lt += eq - eq_here;  // eq·(1 − b)
    eq = std::move(eq_here);
  }
  // lt·1 = 1
  cb.add_constraint({lt, one, one});
}

}  // namespace codex::prover::circuit
