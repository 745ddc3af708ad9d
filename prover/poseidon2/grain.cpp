#include "prover/poseidon2/grain.h"

#include <cassert>

namespace codex::prover::poseidon2 {

GrainLfsr::GrainLfsr(const GrainParams& p) {
  size_t pos = 0;
  auto push = [&](uint64_t value, unsigned bits) {
    for (unsigned i = bits; i-- > 0;)
      state_[pos++] = (value >> i) & 1;
  };
  push(p.field, 2);
  push(p.sbox, 4);
  push(p.field_bits, 12);
  push(p.t, 12);
  push(p.full_rounds, 10);
  push(p.partial_rounds, 10);
  push((uint64_t(1) << 30) - 1, 30);
  assert(pos == 80);
  for (int i = 0; i < 160; ++i)
    step();
}

bool GrainLfsr::step() {
  auto at = [&](size_t i) { return state_[(head_ + i) % 80]; };
  bool bit = at(62) ^ at(51) ^ at(38) ^ at(23) ^ at(13) ^ at(0);
  // Drop the oldest bit and append the new one in its slot.
  state_[head_] = bit;
  head_ = (head_ + 1) % 80;
  return bit;
}

bool GrainLfsr::next_bit() {
  for (;;) {
    bool first = step();
    bool second = step();
    if (first) return second;
  }
}

std::vector<Fr> grain_field_elements(const GrainParams& p, size_t count) {
  assert(p.field_bits == 254);
  GrainLfsr lfsr(p);
  std::vector<Fr> out;
  out.reserve(count);
  while (out.size() < count) {
    Fr::Repr v{};
    for (unsigned i = p.field_bits; i-- > 0;) {
      if (lfsr.next_bit()) v[i / 64] |= uint64_t(1) << (i % 64);
    }
    if (field::limbs_less(v, Fr::kModulus)) out.push_back(Fr::from_canonical_unchecked(v));
  }
  return out;
}

}  // namespace codex::prover::poseidon2
