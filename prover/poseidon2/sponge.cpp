#include "prover/poseidon2/sponge.h"

#include <string>

#include "prover/error.h"
#include "prover/poseidon2/constants.h"

namespace codex::prover::poseidon2 {

Fr sponge_iv(unsigned rate) {
  return Fr::from_u64(uint64_t(1) << 63).dbl() + Fr::from_u64(256 * kWidth + rate);
}

Sponge::Sponge(unsigned rate) : rate_(rate) {
  if (rate != 1 && rate != 2) {
    throw InvalidInput("Poseidon2 sponge rate must be 1 or 2, got " + std::to_string(rate));
  }
  state_ = {Fr::zero(), Fr::zero(), sponge_iv(rate)};
}

void Sponge::absorb(const Fr& x) {
  state_[pos_] += x;
  if (++pos_ == rate_) {
    permute(state_);
    pos_ = 0;
  }
}

Fr Sponge::finish() {
  // "10*": a 1, then zeros up to the end of the block (adding zero is a no-op).
  state_[pos_] += Fr::one();
  permute(state_);
  pos_ = 0;
  return state_[0];
}

Fr sponge(std::span<const Fr> xs, unsigned rate) {
  Sponge s(rate);
  s.absorb(xs);
  return s.finish();
}

}  // namespace codex::prover::poseidon2
